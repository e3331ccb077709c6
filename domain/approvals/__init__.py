"""Quote approvals, free of any framework: the ``when`` language (``expr``, ``nodes``),
the policy and its levels (``policy``), a chain's state (``model``), the cards
(``cards``) and the ports (``ports``). The services are in ``domain/services/approvals*``.
"""

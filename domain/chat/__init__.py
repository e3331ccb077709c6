"""The chat surface of the CRM: the ``/crm`` grammar and what each command answers."""

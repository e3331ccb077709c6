"""Word lists for the demo-data generator: plausible, fictitious, no real companies."""

from __future__ import annotations

FIRST_NAMES = (
    "Alice", "Ben", "Carmen", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Keiko", "Liam", "Maya", "Noah", "Olga", "Priya", "Quinn", "Rafael", "Sofia", "Tariq",
    "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoe", "Marcus", "Hannah", "Diego", "Leila",
)  # fmt: skip

LAST_NAMES = (
    "Anders", "Brooks", "Castillo", "Dubois", "Eriksen", "Fischer", "Gupta", "Hale",
    "Ishikawa", "Jensen", "Kowalski", "Lambert", "Moreau", "Nakamura", "Okafor", "Patel",
    "Quintero", "Rossi", "Schmidt", "Tanaka", "Underwood", "Vargas", "Walsh", "Yamada",
    "Zimmer", "Holloway", "Mercer", "Whitfield", "Ashby", "Calloway",
)  # fmt: skip

COMPANY_PREFIXES = (
    "Northwind", "Blue Ridge", "Summit", "Harbor", "Ironwood", "Redstone", "Silver Creek",
    "Granite", "Cedar", "Lakeshore", "Pinnacle", "Keystone", "Evergreen", "Prairie",
    "Coastal", "Sterling", "Oakmont", "Riverbend", "Bluewater", "Highland", "Westfield",
    "Eastgate", "Frontier", "Liberty", "Meridian", "Atlas", "Beacon", "Cascade", "Falcon",
    "Golden Gate", "Heritage", "Juniper", "Maple Leaf", "Old Mill", "Patriot", "Quarry",
    "Red Oak", "Sandstone", "Tri-County", "Union", "Valley", "Willow", "Copper Hill",
    "Stonebridge", "Bay Area", "Great Lakes", "Lone Star", "Mesa", "Pacific", "Timberline",
)  # fmt: skip

COMPANY_CORES = (
    "Supply", "Fasteners", "Industrial", "Hardware", "Electrical", "Plumbing", "Packaging",
    "Building Products", "Tool", "Safety", "Janitorial", "Fluid Power", "Bearings",
    "Hydraulics", "Lumber", "Paper", "Foodservice", "Restaurant Supply", "Office Products",
    "Chemical", "Welding", "Steel", "Pipe & Valve", "HVAC", "Lighting", "Automotive Parts",
    "Medical Supply", "Lab Supply", "Farm Supply", "Marine", "Fleet Parts", "Abrasives",
    "Wire & Cable", "Sealants", "Fixtures",
)  # fmt: skip

COMPANY_SUFFIXES = (
    "Co", "Inc", "LLC", "Distributors", "Wholesale", "Group", "Partners", "Trading", "Corp",
    "Ltd", "Depot", "Sales", "Company", "Supply House", "Solutions",
)  # fmt: skip

CITIES = (
    "Albany", "Boise", "Dayton", "Fresno", "Reno", "Tacoma", "Tulsa", "Omaha", "Madison",
    "Raleigh", "Spokane", "Toledo", "Wichita", "Savannah", "Duluth", "Eugene",
)  # fmt: skip

INDUSTRIES = (
    "construction", "manufacturing", "hospitality", "healthcare", "automotive",
    "agriculture", "facilities", "education", "retail", "energy", "marine", "logistics",
)  # fmt: skip

REGIONS = ("northeast", "southeast", "midwest", "southwest", "west", "emea", "apac")

CATEGORIES = (
    "fasteners", "electrical", "plumbing", "safety", "janitorial", "packaging", "tools",
    "hydraulics", "lighting", "hvac", "consumables", "spare parts",
)  # fmt: skip

ACTIVITY_NOTES = {
    "call": (
        "Spoke with {contact} about {category} volumes for next quarter.",
        "{contact} asked for updated {category} pricing; promised to send pricing by {day}.",
        "Quick check-in call with {contact}; they are happy with delivery times.",
        "Called {contact} re: late shipment, apologised and offered expedited freight.",
        "{contact} mentioned a competitor quote on {category}; will call back {day}.",
        "Follow-up call: {contact} confirmed the reorder should go out next week.",
    ),
    "email": (
        "Emailed {contact} the {category} catalogue and spec sheets.",
        "Sent {contact} a recap of our meeting and the revised terms.",
        "{contact} emailed asking for a credit limit review; forwarded to finance.",
        "Replied to {contact} about invoice questions; will confirm payment status by {day}.",
        "Sent {contact} samples tracking number for the new {category} line.",
    ),
    "meeting": (
        "On-site visit with {contact}: walked the warehouse, discussed {category} stocking.",
        "Quarterly business review with {contact}; agreed to send a volume proposal by {day}.",
        "Lunch meeting with {contact} and their ops lead; expansion planned for spring.",
        "Met {contact} at the trade show; interested in consolidating {category} orders.",
    ),
    "note": (
        "{contact} is the new purchasing lead; prefers email over calls.",
        "Client moving to a new ERP next month, orders may slow down.",
        "Budget cycle resets in January; good time to pitch {category}.",
        "Reminder: {contact} wants consolidated monthly invoicing.",
        "Heard they are evaluating another supplier for {category}.",
    ),
}

TASK_TITLES = (
    "Send {category} pricing to {contact}",
    "Follow up on quote with {contact}",
    "Call {contact} about reorder",
    "Schedule quarterly review with {contact}",
    "Check payment status of last invoice",
    "Send samples of new {category} line",
    "Confirm delivery window with {contact}",
    "Update credit application",
)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")

QUOTE_DESCRIPTIONS = (
    "Annual {category} supply agreement",
    "Bulk {category} order, Q{quarter} delivery",
    "Replacement stock for {category} after site expansion",
    "Blanket order: {category} and consumables",
    "Trial order, new {category} product line",
)

REJECTION_REASONS = {
    "manager": (
        "Margin too thin at this discount; counter at 8%.",
        "Pricing below our floor for this category.",
        "Need a signed volume commitment before this discount.",
    ),
    "finance": (
        "Client is over their credit limit with invoices 60+ days overdue.",
        "Credit exposure too high; ask for a deposit or prepayment.",
        "Open receivables must come down before we extend more credit.",
    ),
}

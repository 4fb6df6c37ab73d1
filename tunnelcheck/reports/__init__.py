"""What a run writes for people: the HTML report, the Markdown summary, the drift table, the fleet page."""

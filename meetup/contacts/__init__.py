"""After the evening: "whom did you meet?", confirmed contacts with their context,
private notes, tags and follow-ups, blocks, and the vCard export."""

"""What a study gives back to the team: the codings export and the peer-debriefing
summary (its data, its words, and its Markdown and HTML forms)."""

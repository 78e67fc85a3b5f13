"""The supporter's pages: campaign, postcode, choose, letters, thanks, reply; and the pages kept
in memory because they are the same for every supporter."""

"""The Dashboard page: today's work, open returns and cases, satisfaction, segments, customers at risk."""

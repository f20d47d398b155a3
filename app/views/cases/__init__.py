"""The Cases page: complaints, claims, suggestions and compliments through their stages."""

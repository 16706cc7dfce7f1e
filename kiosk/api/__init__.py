"""The JSON API: search and referrals (/api/v1), the HSDS 3.0 directory API, and their OpenAPI document."""

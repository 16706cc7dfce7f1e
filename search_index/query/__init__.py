"""Query understanding and ranking: user text -> needs, crisis pinning, a safe query, filters, ranking."""

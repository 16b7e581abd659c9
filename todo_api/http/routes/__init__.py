"""The endpoints: tasks (the seed's contract), health and the root document, and /metrics
(behind METRICS_TOKEN)."""

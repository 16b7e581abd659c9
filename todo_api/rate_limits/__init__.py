"""Request budgets: how many reads and writes a user, or a client address, may send in a
window (`rates` reads them as operators write them, `budgets` counts them in memory and
Redis, `storages` keeps the counts, `charging` spends one per request and says so in the
response's headers)."""

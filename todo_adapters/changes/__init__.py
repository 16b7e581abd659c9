"""Change notifiers that poke across replicas (the in-memory one, of one process, is
`todo_adapters.memory`'s)."""

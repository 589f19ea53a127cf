"""Fan-out: the Kafka relay, the consumers, and their in-process stand-ins."""

"""Fine-tuning jobs, the lifecycle: create, estimate and budget, start, then wait."""

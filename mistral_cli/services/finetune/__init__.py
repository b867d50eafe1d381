"""Fine-tuning data: the offline validator, its renderers, --fix, and the job-request checks."""

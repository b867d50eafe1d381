"""Fine-tuning data checked offline: the reader, the FT rules, --fix, the job-request checks.

No request is made here. The job lifecycle (`services.finetune`) uses only `validate.validate`
and the `report` types; an import-linter contract keeps it so.
"""

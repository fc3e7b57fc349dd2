# Deta Space's HTTP payload limit, each way, measured on the decoded body (413 beyond).
BODY_LIMIT_BYTES = 5_767_168

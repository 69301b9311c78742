# -d takes a known mode only.
"$DISTILL" lock -d stats

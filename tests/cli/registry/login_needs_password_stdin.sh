# Without a terminal, login needs --password-stdin rather than a prompt.
"$DISTILL" login 127.0.0.1:5000 -u alice </dev/null

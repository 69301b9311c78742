# `--password=SECRET` is not a flag of login; the usage error must not echo
# it (CLI11's "arguments were not expected" would), nor any other argument.
"$DISTILL" login -u alice --password=hunter2-SECRET 127.0.0.1:9

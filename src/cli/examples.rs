//! The examples `--help` shows above the exit codes: the README's, two or three per command.

/// Two or three examples per command, the README's, shown above the exit codes in `--help`.
pub(super) fn examples(command: &str) -> Option<&'static str> {
    Some(match command {
        "evrelay" => "  evrelay discover --cluster events
  evrelay deploy --cluster events --url http://internal-app-123.us-east-1.elb.amazonaws.com/ --secret-stdin < key.txt
  evrelay send --return-response",
        "discover" => "  evrelay discover --cluster events          # eksctl's tags find the VPC
  evrelay discover --vpc-id vpc-0abc          # any VPC
  evrelay --output json discover --cluster events | jq .picks",
        "deploy" => "  evrelay deploy --subnet subnet-a --subnet subnet-b --security-group sg-1 \\
      --url http://internal-app-123.us-east-1.elb.amazonaws.com/ --secret-stdin < key.txt
  evrelay deploy --cluster events --url https://internal-app-123.us-east-1.elb.amazonaws.com/ \\
      --host app.example.com --secret-id EventsToVpcSecret --yes
  evrelay deploy                              # again, with what evrelay.toml remembers
  evrelay deploy --no-execute                 # keep the change set for review; prints how to run it
  evrelay deploy --execute evrelay-1795000000-3fa2c1
  evrelay deploy --secondary-region us-west-2 --secondary-cluster events \\
      --secondary-url http://internal-app-456.us-west-2.elb.amazonaws.com/   # a pair behind a global endpoint",
        "send" => "  evrelay send --return-response              # one tutorial event, and the endpoint's answer
  evrelay send --count 1000 --concurrency 16  # load: batches of 10
  evrelay send --rate 50/s --duration 2m      # load at a steady rate
  evrelay send --detail '{\"order\": 42}'
  evrelay send --global --return-response     # through the pair's global endpoint; names the Region that answered",
        "logs" => "  evrelay logs --since 10m
  evrelay logs --since 1h30m --source relay --filter ERROR
  evrelay logs --follow",
        "dlq" => "  evrelay dlq peek
  evrelay dlq drain --out failed.jsonl
  evrelay dlq redrive --yes",
        "peek" => "  evrelay dlq peek
  evrelay --output json dlq peek --max 100",
        "drain" => "  evrelay dlq drain --out failed.jsonl        # written and fsynced before each delete",
        "redrive" => "  evrelay dlq redrive --dry-run
  evrelay dlq redrive --yes",
        "purge" => "  evrelay dlq purge --yes",
        "status" => "  evrelay status
  evrelay status --watch
  evrelay status --since 6h
  evrelay --output json status | jq .health.verdict",
        "top" => "  evrelay top                                   # q, Esc or Ctrl-C quits
  evrelay top --since 15m --interval 2s
  evrelay top | tee top.log                     # not a terminal: one line per refresh
  evrelay --output json top                     # one JSON object per refresh",
        "failover" => "  evrelay failover start                      # events through the endpoint go to the secondary
  evrelay failover stop --yes",
        "start" => "  evrelay failover start --timeout 10m",
        "stop" => "  evrelay failover stop",
        "replay" => "  evrelay replay --from 2h                     # the last two hours of the secondary's archive
  evrelay replay --from 2026-12-04T08:00:00Z --to 2026-12-04T09:30:00Z --yes
  evrelay replay --cancel orders-20261204T101500",
        "destroy" => "  evrelay destroy
  evrelay --stack orders-relay destroy --yes",
        "template" => "  evrelay template > relay.yaml
  evrelay template --param TargetUrl=http://internal-app-123.us-east-1.elb.amazonaws.com/",
        "policy" => "  evrelay --region eu-west-1 policy deploy > deploy-policy.json
  evrelay policy operate --output json
  evrelay policy deploy --role-arn arn:aws:iam::123456789012:role/cfn",
        "completions" => "  evrelay completions zsh > ~/.zfunc/_evrelay
  evrelay completions bash > /etc/bash_completion.d/evrelay",
        _ => return None,
    })
}

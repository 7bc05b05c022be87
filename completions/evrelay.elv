
use builtin;
use str;

set edit:completion:arg-completer[evrelay] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'evrelay'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'evrelay'= {
            cand --region 'AWS region (default: AWS_REGION, then the profile''s region)'
            cand --profile 'Named profile from the AWS config files (default: AWS_PROFILE)'
            cand --endpoint-url 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual'
            cand --stack 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --stack-name 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --config 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]'
            cand --output 'How to print results'
            cand -y 'Answer yes to every confirmation (needed without a terminal)'
            cand --yes 'Answer yes to every confirmation (needed without a terminal)'
            cand -v 'Show more detail, including the full cause of errors'
            cand --verbose 'Show more detail, including the full cause of errors'
            cand -q 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --quiet 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --no-color 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand discover 'Find the private subnets, node security group and internal ALB a relay needs'
            cand deploy 'Create or update the relay stack and the VPC endpoints it needs'
            cand send 'Put test events on the relay''s bus, optionally waiting for the endpoint''s response'
            cand logs 'Read the relay''s and the bus''s logs, interleaved by time'
            cand dlq 'Inspect and recover events that failed delivery'
            cand status 'Show the relay stack, its resources, endpoints and queue depths'
            cand destroy 'Delete the relay stack and the VPC endpoints evrelay created for it'
            cand delete 'Delete the relay stack and the VPC endpoints evrelay created for it'
            cand template 'Print the relay''s CloudFormation template, relay code inlined'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'evrelay;discover'= {
            cand --vpc-id 'Look in this VPC'
            cand --cluster 'Look in the VPC of this EKS cluster (eksctl''s tags)'
            cand --region 'AWS region (default: AWS_REGION, then the profile''s region)'
            cand --profile 'Named profile from the AWS config files (default: AWS_PROFILE)'
            cand --endpoint-url 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual'
            cand --stack 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --stack-name 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --config 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]'
            cand --output 'How to print results'
            cand -y 'Answer yes to every confirmation (needed without a terminal)'
            cand --yes 'Answer yes to every confirmation (needed without a terminal)'
            cand -v 'Show more detail, including the full cause of errors'
            cand --verbose 'Show more detail, including the full cause of errors'
            cand -q 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --quiet 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --no-color 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'evrelay;deploy'= {
            cand --subnet 'A private subnet for the relay (repeat for each; at least two AZs)'
            cand --security-group 'The security group the relay runs in'
            cand --url 'The private endpoint every event is POSTed to, e.g. http://internal-app-123.us-east-1.elb.amazonaws.com/'
            cand --vpc-id 'Take discover''s picks from this VPC (explicit flags win)'
            cand --cluster 'Take discover''s picks from this EKS cluster''s VPC (explicit flags win)'
            cand --secret-env 'Read the endpoint''s API key from this environment variable'
            cand --detail-type 'The detail-type the inbound rule matches [default: inbound-event-sent, or the stack''s]'
            cand --auth-header 'The header that carries the API key [default: api-key, or the stack''s]'
            cand --reserved-concurrency 'Reserved concurrency for the relay, 0 = unreserved [default: 0, or the stack''s]'
            cand --function-timeout 'The relay function''s timeout in seconds, 30-900, and at least one invocation''s time budget (79 s with --read-timeout 10, 109 s with 25; a lower value is refused with the sum spelled out) [default: 90, or the stack''s]'
            cand --read-timeout 'How long the relay waits for the endpoint''s response in seconds, 1-25; each second adds two to the time budget --function-timeout must cover [default: 10, or the stack''s]'
            cand --log-retention-days 'Days to keep the relay''s and the bus''s logs (a CloudWatch Logs retention value) [default: 14, or the stack''s]'
            cand --events-endpoint 'The relay''s way to EventBridge when evrelay cannot verify its subnets'' route (a transit gateway, NAT instance or firewall): `create` an `events` interface endpoint, or `skip` it (that route reaches the internet). Such a route without this flag stops the deploy'
            cand --skip-check 'Skip one reachability check whose path exists in a way evrelay cannot verify (repeat for each): target-egress, load-balancer-reach, endpoint-reach, eventbridge-egress. What the check would have refused is printed with the plan; the file remembers the flag'
            cand --host 'The host name the endpoint serves: sent as Host and, over HTTPS, used for SNI and certificate verification while connecting to --url''s address [default: --url''s host, or the stack''s]'
            cand --secret-id 'Use this existing Secrets Manager secret (name or ARN) as the API key: evrelay checks it exists and never reads or deletes it; the relay may read only this secret'
            cand --ca-bundle 'PEM file of private CAs (e.g. ACM Private CA) the relay trusts besides the system store, for an endpoint whose certificate no public CA issued; the host name is still verified [default: the stack''s, else none]'
            cand --tags 'A tag for the stack, which CloudFormation propagates to its resources (repeat for each; evrelay''s own `evrelay:` tags cannot be set) [default: the config file''s, or the stack''s current tags]'
            cand --role-arn 'The IAM role CloudFormation assumes to change the stack (a service role) [default: the config file''s, or the role the stack already uses]'
            cand --execute 'Execute a change set `deploy --no-execute` kept (its name or ARN), after the checks a deploy runs: the settings are the change set''s, so no setting flag goes with it'
            cand --region 'AWS region (default: AWS_REGION, then the profile''s region)'
            cand --profile 'Named profile from the AWS config files (default: AWS_PROFILE)'
            cand --endpoint-url 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual'
            cand --stack 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --stack-name 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --config 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]'
            cand --output 'How to print results'
            cand --secret-stdin 'Read the endpoint''s API key from stdin (one line)'
            cand --generate-secret 'Generate a random API key (never printed: read it from Secrets Manager when needed)'
            cand --dry-run 'Show the change set, then stop (the change set is deleted; nothing changes)'
            cand --no-execute 'Create the change set, show it and keep it for review, as `sam deploy --no-execute-changeset` does: no prompt, no VPC endpoint, nothing else changes; the output says how to run it (`evrelay deploy --execute CHANGE_SET`)'
            cand -y 'Answer yes to every confirmation (needed without a terminal)'
            cand --yes 'Answer yes to every confirmation (needed without a terminal)'
            cand -v 'Show more detail, including the full cause of errors'
            cand --verbose 'Show more detail, including the full cause of errors'
            cand -q 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --quiet 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --no-color 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'evrelay;send'= {
            cand --detail 'The event''s detail: inline JSON, @FILE, or - for stdin (one JSON document per line)'
            cand --detail-type 'The event''s detail-type'
            cand --source 'The event''s source'
            cand --bus 'The bus to send to (default: the stack''s bus)'
            cand --count 'How many events to send (with --detail, each detail is sent this many times)'
            cand --concurrency 'PutEvents requests in flight at once [default: 8; with --rate, 64, so requests slowed by retries do not hold back the ones due after them]'
            cand --rate 'Send at this steady rate for a load test, e.g. 50/s or 600/m: --count events, or for --duration (the output gives the rate achieved, throttled entries and retries)'
            cand --duration 'With --rate: send for this long (rate × duration events), e.g. 30s, 5m'
            cand --timeout 'How long to wait for responses, e.g. 30s, 2m'
            cand --region 'AWS region (default: AWS_REGION, then the profile''s region)'
            cand --profile 'Named profile from the AWS config files (default: AWS_PROFILE)'
            cand --endpoint-url 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual'
            cand --stack 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --stack-name 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --config 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]'
            cand --output 'How to print results'
            cand --return-response 'Ask the relay for a response event and wait for it'
            cand -y 'Answer yes to every confirmation (needed without a terminal)'
            cand --yes 'Answer yes to every confirmation (needed without a terminal)'
            cand -v 'Show more detail, including the full cause of errors'
            cand --verbose 'Show more detail, including the full cause of errors'
            cand -q 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --quiet 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --no-color 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'evrelay;logs'= {
            cand --since 'Start from this long ago (10m, 2h, 1d) or from an RFC 3339 timestamp'
            cand --filter 'A CloudWatch Logs filter pattern'
            cand --until 'Stop at this long ago (5m) or at an RFC 3339 timestamp [default: now]'
            cand --source 'Which log group to read'
            cand --region 'AWS region (default: AWS_REGION, then the profile''s region)'
            cand --profile 'Named profile from the AWS config files (default: AWS_PROFILE)'
            cand --endpoint-url 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual'
            cand --stack 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --stack-name 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --config 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]'
            cand --output 'How to print results'
            cand -f 'Keep printing new lines as they arrive'
            cand --follow 'Keep printing new lines as they arrive'
            cand -y 'Answer yes to every confirmation (needed without a terminal)'
            cand --yes 'Answer yes to every confirmation (needed without a terminal)'
            cand -v 'Show more detail, including the full cause of errors'
            cand --verbose 'Show more detail, including the full cause of errors'
            cand -q 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --quiet 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --no-color 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'evrelay;dlq'= {
            cand --region 'AWS region (default: AWS_REGION, then the profile''s region)'
            cand --profile 'Named profile from the AWS config files (default: AWS_PROFILE)'
            cand --endpoint-url 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual'
            cand --stack 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --stack-name 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --config 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]'
            cand --output 'How to print results'
            cand -y 'Answer yes to every confirmation (needed without a terminal)'
            cand --yes 'Answer yes to every confirmation (needed without a terminal)'
            cand -v 'Show more detail, including the full cause of errors'
            cand --verbose 'Show more detail, including the full cause of errors'
            cand -q 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --quiet 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --no-color 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand peek 'List failed events without consuming them'
            cand drain 'Append every message to a JSON Lines file, then delete it from the queue'
            cand redrive 'Put each failed event back on the bus; delete only what was re-sent'
            cand purge 'Delete every message in the queue'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'evrelay;dlq;peek'= {
            cand --max 'Show at most this many messages'
            cand --region 'AWS region (default: AWS_REGION, then the profile''s region)'
            cand --profile 'Named profile from the AWS config files (default: AWS_PROFILE)'
            cand --endpoint-url 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual'
            cand --stack 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --stack-name 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --config 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]'
            cand --output 'How to print results'
            cand --wide 'Show every column (time, detail event id, detail type, condition) and whole reasons'
            cand -y 'Answer yes to every confirmation (needed without a terminal)'
            cand --yes 'Answer yes to every confirmation (needed without a terminal)'
            cand -v 'Show more detail, including the full cause of errors'
            cand --verbose 'Show more detail, including the full cause of errors'
            cand -q 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --quiet 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --no-color 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'evrelay;dlq;drain'= {
            cand --out 'The file to append to (fsynced before each delete)'
            cand --visibility-timeout 'How long a received message stays hidden before it returns to the queue if evrelay stops before deleting it, e.g. 60s'
            cand --region 'AWS region (default: AWS_REGION, then the profile''s region)'
            cand --profile 'Named profile from the AWS config files (default: AWS_PROFILE)'
            cand --endpoint-url 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual'
            cand --stack 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --stack-name 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --config 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]'
            cand --output 'How to print results'
            cand -y 'Answer yes to every confirmation (needed without a terminal)'
            cand --yes 'Answer yes to every confirmation (needed without a terminal)'
            cand -v 'Show more detail, including the full cause of errors'
            cand --verbose 'Show more detail, including the full cause of errors'
            cand -q 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --quiet 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --no-color 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'evrelay;dlq;redrive'= {
            cand --bus 'The bus to put the events on (default: the stack''s bus)'
            cand --region 'AWS region (default: AWS_REGION, then the profile''s region)'
            cand --profile 'Named profile from the AWS config files (default: AWS_PROFILE)'
            cand --endpoint-url 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual'
            cand --stack 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --stack-name 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --config 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]'
            cand --output 'How to print results'
            cand --dry-run 'Show what would be re-sent, change nothing'
            cand -y 'Answer yes to every confirmation (needed without a terminal)'
            cand --yes 'Answer yes to every confirmation (needed without a terminal)'
            cand -v 'Show more detail, including the full cause of errors'
            cand --verbose 'Show more detail, including the full cause of errors'
            cand -q 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --quiet 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --no-color 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'evrelay;dlq;purge'= {
            cand --region 'AWS region (default: AWS_REGION, then the profile''s region)'
            cand --profile 'Named profile from the AWS config files (default: AWS_PROFILE)'
            cand --endpoint-url 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual'
            cand --stack 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --stack-name 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --config 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]'
            cand --output 'How to print results'
            cand -y 'Answer yes to every confirmation (needed without a terminal)'
            cand --yes 'Answer yes to every confirmation (needed without a terminal)'
            cand -v 'Show more detail, including the full cause of errors'
            cand --verbose 'Show more detail, including the full cause of errors'
            cand -q 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --quiet 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --no-color 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'evrelay;dlq;help'= {
            cand peek 'List failed events without consuming them'
            cand drain 'Append every message to a JSON Lines file, then delete it from the queue'
            cand redrive 'Put each failed event back on the bus; delete only what was re-sent'
            cand purge 'Delete every message in the queue'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'evrelay;dlq;help;peek'= {
        }
        &'evrelay;dlq;help;drain'= {
        }
        &'evrelay;dlq;help;redrive'= {
        }
        &'evrelay;dlq;help;purge'= {
        }
        &'evrelay;dlq;help;help'= {
        }
        &'evrelay;status'= {
            cand --region 'AWS region (default: AWS_REGION, then the profile''s region)'
            cand --profile 'Named profile from the AWS config files (default: AWS_PROFILE)'
            cand --endpoint-url 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual'
            cand --stack 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --stack-name 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --config 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]'
            cand --output 'How to print results'
            cand --watch 'Follow a change in progress until the stack settles, then show the status (Ctrl-C stops watching)'
            cand -y 'Answer yes to every confirmation (needed without a terminal)'
            cand --yes 'Answer yes to every confirmation (needed without a terminal)'
            cand -v 'Show more detail, including the full cause of errors'
            cand --verbose 'Show more detail, including the full cause of errors'
            cand -q 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --quiet 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --no-color 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'evrelay;destroy'= {
            cand --timeout 'How long to wait for the stack to be deleted, e.g. 45m, 1h, 90s (a VPC-attached Lambda''s network interfaces can take 20-45 minutes to be released)'
            cand --role-arn 'The CloudFormation service role to delete the stack with (DeleteStack''s RoleARN), for a stack whose own role is gone or can no longer be assumed. Without it CloudFormation uses the stack''s role'
            cand --region 'AWS region (default: AWS_REGION, then the profile''s region)'
            cand --profile 'Named profile from the AWS config files (default: AWS_PROFILE)'
            cand --endpoint-url 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual'
            cand --stack 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --stack-name 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --config 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]'
            cand --output 'How to print results'
            cand --keep-endpoints 'Leave the VPC endpoints evrelay created for this stack, handed to the VPC: re-tagged `evrelay:released-from=<stack>`, so no evrelay stack deletes them later'
            cand --delete-endpoints 'Delete the VPC endpoints evrelay created even when other network interfaces in the VPC may reach Secrets Manager or EventBridge only through them (the plan names them first). Without it such endpoints are kept for the VPC'
            cand --ignore-missing 'Exit 0 when there is no such stack and nothing evrelay made for it (for teardown scripts; without it a stack that never existed is an error, exit 1)'
            cand --delete-failed-events 'With --yes: destroy even though the DLQ holds failed events, which are then lost (keep them first with `evrelay dlq drain --out FILE`)'
            cand -y 'Answer yes to every confirmation (needed without a terminal)'
            cand --yes 'Answer yes to every confirmation (needed without a terminal)'
            cand -v 'Show more detail, including the full cause of errors'
            cand --verbose 'Show more detail, including the full cause of errors'
            cand -q 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --quiet 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --no-color 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'evrelay;delete'= {
            cand --timeout 'How long to wait for the stack to be deleted, e.g. 45m, 1h, 90s (a VPC-attached Lambda''s network interfaces can take 20-45 minutes to be released)'
            cand --role-arn 'The CloudFormation service role to delete the stack with (DeleteStack''s RoleARN), for a stack whose own role is gone or can no longer be assumed. Without it CloudFormation uses the stack''s role'
            cand --region 'AWS region (default: AWS_REGION, then the profile''s region)'
            cand --profile 'Named profile from the AWS config files (default: AWS_PROFILE)'
            cand --endpoint-url 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual'
            cand --stack 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --stack-name 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --config 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]'
            cand --output 'How to print results'
            cand --keep-endpoints 'Leave the VPC endpoints evrelay created for this stack, handed to the VPC: re-tagged `evrelay:released-from=<stack>`, so no evrelay stack deletes them later'
            cand --delete-endpoints 'Delete the VPC endpoints evrelay created even when other network interfaces in the VPC may reach Secrets Manager or EventBridge only through them (the plan names them first). Without it such endpoints are kept for the VPC'
            cand --ignore-missing 'Exit 0 when there is no such stack and nothing evrelay made for it (for teardown scripts; without it a stack that never existed is an error, exit 1)'
            cand --delete-failed-events 'With --yes: destroy even though the DLQ holds failed events, which are then lost (keep them first with `evrelay dlq drain --out FILE`)'
            cand -y 'Answer yes to every confirmation (needed without a terminal)'
            cand --yes 'Answer yes to every confirmation (needed without a terminal)'
            cand -v 'Show more detail, including the full cause of errors'
            cand --verbose 'Show more detail, including the full cause of errors'
            cand -q 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --quiet 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --no-color 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'evrelay;template'= {
            cand --param 'Set a parameter''s default in the printed template (repeatable), e.g. TargetUrl=http://… . The secret cannot be set this way'
            cand --region 'AWS region (default: AWS_REGION, then the profile''s region)'
            cand --profile 'Named profile from the AWS config files (default: AWS_PROFILE)'
            cand --endpoint-url 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual'
            cand --stack 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --stack-name 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --config 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]'
            cand --output 'How to print results'
            cand -y 'Answer yes to every confirmation (needed without a terminal)'
            cand --yes 'Answer yes to every confirmation (needed without a terminal)'
            cand -v 'Show more detail, including the full cause of errors'
            cand --verbose 'Show more detail, including the full cause of errors'
            cand -q 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --quiet 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --no-color 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'evrelay;completions'= {
            cand --region 'AWS region (default: AWS_REGION, then the profile''s region)'
            cand --profile 'Named profile from the AWS config files (default: AWS_PROFILE)'
            cand --endpoint-url 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual'
            cand --stack 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --stack-name 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]'
            cand --config 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]'
            cand --output 'How to print results'
            cand -y 'Answer yes to every confirmation (needed without a terminal)'
            cand --yes 'Answer yes to every confirmation (needed without a terminal)'
            cand -v 'Show more detail, including the full cause of errors'
            cand --verbose 'Show more detail, including the full cause of errors'
            cand -q 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --quiet 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
            cand --no-color 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'evrelay;help'= {
            cand discover 'Find the private subnets, node security group and internal ALB a relay needs'
            cand deploy 'Create or update the relay stack and the VPC endpoints it needs'
            cand send 'Put test events on the relay''s bus, optionally waiting for the endpoint''s response'
            cand logs 'Read the relay''s and the bus''s logs, interleaved by time'
            cand dlq 'Inspect and recover events that failed delivery'
            cand status 'Show the relay stack, its resources, endpoints and queue depths'
            cand destroy 'Delete the relay stack and the VPC endpoints evrelay created for it'
            cand template 'Print the relay''s CloudFormation template, relay code inlined'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'evrelay;help;discover'= {
        }
        &'evrelay;help;deploy'= {
        }
        &'evrelay;help;send'= {
        }
        &'evrelay;help;logs'= {
        }
        &'evrelay;help;dlq'= {
            cand peek 'List failed events without consuming them'
            cand drain 'Append every message to a JSON Lines file, then delete it from the queue'
            cand redrive 'Put each failed event back on the bus; delete only what was re-sent'
            cand purge 'Delete every message in the queue'
        }
        &'evrelay;help;dlq;peek'= {
        }
        &'evrelay;help;dlq;drain'= {
        }
        &'evrelay;help;dlq;redrive'= {
        }
        &'evrelay;help;dlq;purge'= {
        }
        &'evrelay;help;status'= {
        }
        &'evrelay;help;destroy'= {
        }
        &'evrelay;help;template'= {
        }
        &'evrelay;help;completions'= {
        }
        &'evrelay;help;help'= {
        }
    ]
    $completions[$command]
}

# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_evrelay_global_optspecs
    string join \n region= profile= endpoint-url= stack= config= output= y/yes v/verbose q/quiet no-color h/help V/version
end

function __fish_evrelay_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_evrelay_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_evrelay_using_subcommand
    set -l cmd (__fish_evrelay_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c evrelay -n "__fish_evrelay_needs_command" -l region -d 'AWS region (default: AWS_REGION, then the profile\'s region)' -r
complete -c evrelay -n "__fish_evrelay_needs_command" -l profile -d 'Named profile from the AWS config files (default: AWS_PROFILE)' -r
complete -c evrelay -n "__fish_evrelay_needs_command" -l endpoint-url -d 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual' -r
complete -c evrelay -n "__fish_evrelay_needs_command" -l stack -l stack-name -d 'The relay stack\'s name; every resource evrelay creates is named from it [default: the config file\'s `stack`, else event-relay-app]' -r
complete -c evrelay -n "__fish_evrelay_needs_command" -l config -d 'The evrelay config file that remembers each relay\'s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]' -r -F
complete -c evrelay -n "__fish_evrelay_needs_command" -l output -d 'How to print results' -r -f -a "table\t''
json\t''"
complete -c evrelay -n "__fish_evrelay_needs_command" -s y -l yes -d 'Answer yes to every confirmation (needed without a terminal)'
complete -c evrelay -n "__fish_evrelay_needs_command" -s v -l verbose -d 'Show more detail, including the full cause of errors'
complete -c evrelay -n "__fish_evrelay_needs_command" -s q -l quiet -d 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
complete -c evrelay -n "__fish_evrelay_needs_command" -l no-color -d 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
complete -c evrelay -n "__fish_evrelay_needs_command" -s h -l help -d 'Print help'
complete -c evrelay -n "__fish_evrelay_needs_command" -s V -l version -d 'Print version'
complete -c evrelay -n "__fish_evrelay_needs_command" -f -a "discover" -d 'Find the private subnets, node security group and internal ALB a relay needs'
complete -c evrelay -n "__fish_evrelay_needs_command" -f -a "deploy" -d 'Create or update the relay stack and the VPC endpoints it needs'
complete -c evrelay -n "__fish_evrelay_needs_command" -f -a "send" -d 'Put test events on the relay\'s bus, optionally waiting for the endpoint\'s response'
complete -c evrelay -n "__fish_evrelay_needs_command" -f -a "logs" -d 'Read the relay\'s and the bus\'s logs, interleaved by time'
complete -c evrelay -n "__fish_evrelay_needs_command" -f -a "dlq" -d 'Inspect and recover events that failed delivery'
complete -c evrelay -n "__fish_evrelay_needs_command" -f -a "status" -d 'Show the relay stack, its resources, endpoints, queue depths and health (CloudWatch metrics)'
complete -c evrelay -n "__fish_evrelay_needs_command" -f -a "top" -d 'A live dashboard of the relay: health, queues and the newest log lines (plain lines when piped)'
complete -c evrelay -n "__fish_evrelay_needs_command" -f -a "failover" -d 'A relay pair\'s failover drill: invert the global endpoint\'s health check, then restore it'
complete -c evrelay -n "__fish_evrelay_needs_command" -f -a "replay" -d 'Replay a relay pair\'s secondary archive to the secondary\'s bus, for a time window'
complete -c evrelay -n "__fish_evrelay_needs_command" -f -a "destroy" -d 'Delete the relay stack and the VPC endpoints evrelay created for it'
complete -c evrelay -n "__fish_evrelay_needs_command" -f -a "delete" -d 'Delete the relay stack and the VPC endpoints evrelay created for it'
complete -c evrelay -n "__fish_evrelay_needs_command" -f -a "template" -d 'Print the relay\'s CloudFormation template, relay code inlined'
complete -c evrelay -n "__fish_evrelay_needs_command" -f -a "policy" -d 'Print the least-privilege IAM policy for deploy, operate, destroy, or all three'
complete -c evrelay -n "__fish_evrelay_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c evrelay -n "__fish_evrelay_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c evrelay -n "__fish_evrelay_using_subcommand discover" -l vpc-id -d 'Look in this VPC' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand discover" -l cluster -d 'Look in the VPC of this EKS cluster (eksctl\'s tags)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand discover" -l region -d 'AWS region (default: AWS_REGION, then the profile\'s region)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand discover" -l profile -d 'Named profile from the AWS config files (default: AWS_PROFILE)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand discover" -l endpoint-url -d 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand discover" -l stack -l stack-name -d 'The relay stack\'s name; every resource evrelay creates is named from it [default: the config file\'s `stack`, else event-relay-app]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand discover" -l config -d 'The evrelay config file that remembers each relay\'s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]' -r -F
complete -c evrelay -n "__fish_evrelay_using_subcommand discover" -l output -d 'How to print results' -r -f -a "table\t''
json\t''"
complete -c evrelay -n "__fish_evrelay_using_subcommand discover" -s y -l yes -d 'Answer yes to every confirmation (needed without a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand discover" -s v -l verbose -d 'Show more detail, including the full cause of errors'
complete -c evrelay -n "__fish_evrelay_using_subcommand discover" -s q -l quiet -d 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
complete -c evrelay -n "__fish_evrelay_using_subcommand discover" -l no-color -d 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand discover" -s h -l help -d 'Print help'
complete -c evrelay -n "__fish_evrelay_using_subcommand discover" -s V -l version -d 'Print version'
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l subnet -d 'A private subnet for the relay (repeat for each; at least two AZs)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l security-group -d 'The security group the relay runs in' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l url -d 'The private endpoint every event is POSTed to, e.g. http://internal-app-123.us-east-1.elb.amazonaws.com/' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l vpc-id -d 'Take discover\'s picks from this VPC (explicit flags win)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l cluster -d 'Take discover\'s picks from this EKS cluster\'s VPC (explicit flags win)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l secret-env -d 'Read the endpoint\'s API key from this environment variable' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l detail-type -d 'The detail-type the inbound rule matches [default: inbound-event-sent, or the stack\'s]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l auth-header -d 'The header that carries the API key [default: api-key, or the stack\'s]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l reserved-concurrency -d 'Reserved concurrency for the relay, 0 = unreserved [default: 0, or the stack\'s]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l function-timeout -d 'The relay function\'s timeout in seconds, 30-900, and at least one invocation\'s time budget (79 s with --read-timeout 10, 109 s with 25; a lower value is refused with the sum spelled out) [default: 90, or the stack\'s]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l read-timeout -d 'How long the relay waits for the endpoint\'s response in seconds, 1-25; each second adds two to the time budget --function-timeout must cover [default: 10, or the stack\'s]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l log-retention-days -d 'Days to keep the relay\'s and the bus\'s logs (a CloudWatch Logs retention value) [default: 14, or the stack\'s]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l delivery -d 'How events reach the relay: `direct` (the inbound rule invokes it) or `buffered` (the rule fills the <stack>-buffer queue and an event source mapping feeds the relay at most --max-concurrency at a time) [default: direct, or the stack\'s]' -r -f -a "direct\t''
buffered\t''"
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l max-concurrency -d 'Buffered: the most relay invocations at once (the mapping\'s ScalingConfig MaximumConcurrency), 2-1000; reserved concurrency, when set, must not be below it [default: 2, or the stack\'s]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l batch-size -d 'Buffered: the most events per invocation, 1-10000; above 10 needs --batch-window 1 or more (Lambda\'s rule); 1 by default, as only one event is sure to be posted within the default timeouts when the endpoint is at its slowest [default: 1, or the stack\'s]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l batch-window -d 'Buffered: the longest wait in seconds to fill a batch, 0-300 [default: 0, or the stack\'s]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l max-receive-count -d 'Buffered: receives of an event before the buffer moves it to the DLQ (its SQS redrive policy\'s maxReceiveCount), 1-1000 [default: 5, or the stack\'s]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l events-endpoint -d 'The relay\'s way to EventBridge when evrelay cannot verify its subnets\' route (a transit gateway, NAT instance or firewall): `create` an `events` interface endpoint, or `skip` it (that route reaches the internet). Such a route without this flag stops the deploy' -r -f -a "create\t'Create (or reuse) an `events` interface endpoint'
skip\t'No endpoint: the subnets\' route leads to the internet'"
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l skip-check -d 'Skip one reachability check whose path exists in a way evrelay cannot verify (repeat for each): target-egress, load-balancer-reach, service-reach, endpoint-reach, eventbridge-egress. What the check would have refused is printed with the plan; the file remembers the flag' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l host -d 'The host name the endpoint serves: sent as Host and, over HTTPS, used for SNI and certificate verification while connecting to --url\'s address [default: --url\'s host, or the stack\'s]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l secret-id -d 'Use this existing Secrets Manager secret (name or ARN) as the API key: evrelay checks it exists and never reads or deletes it; the relay may read only this secret' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l ca-bundle -d 'PEM file of private CAs (e.g. ACM Private CA) the relay trusts besides the system store, for an endpoint whose certificate no public CA issued; the host name is still verified [default: the stack\'s, else none]' -r -F
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l alarms -d 'Add CloudWatch alarms (DLQ not empty, relay errors, throttles, events waiting over 10 minutes, events dropped; the buffer\'s age when buffered) notifying this SNS topic (its ARN, in the deploy\'s region) or this email address (the stack makes a topic and subscribes it: nothing arrives until the address accepts AWS\'s confirmation email) [default: the stack\'s alarms, else none]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l secondary-region -d 'Deploy the relay in this Region too, under the same stack name, and an EventBridge global endpoint that fails over from this Region to it, with an archive of its bus for replay after failback [default: the config file\'s, for a stack deployed as a pair]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l secondary-vpc-id -d 'Take discover\'s picks for the secondary relay from this VPC in the secondary Region [default: the config file\'s settings for the stack there, or its stack\'s]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l secondary-cluster -d 'Take discover\'s picks for the secondary relay from this EKS cluster\'s VPC in the secondary Region' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l secondary-url -d 'The private endpoint the secondary relay POSTs to (over discover\'s pick or the file\'s)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l secondary-subnet -d 'A private subnet for the secondary relay in the secondary Region, over discover\'s picks or the file\'s (repeat for each; at least two AZs)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l secondary-security-group -d 'The security group the secondary relay runs in, in the secondary Region (over discover\'s pick or the file\'s)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l replication -d 'EventBridge copies each event sent through the endpoint to the secondary\'s bus too, so its archive holds them for replay (AWS strongly recommends it) [default: on, or the pair\'s]' -r -f -a "on\t''
off\t''"
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l archive-retention -d 'Days the secondary\'s archive keeps each event, 0 = indefinitely [default: 7, or the pair\'s]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l tags -d 'A tag for the stack, which CloudFormation propagates to its resources (repeat for each; evrelay\'s own `evrelay:` tags cannot be set) [default: the config file\'s, or the stack\'s current tags]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l role-arn -d 'The IAM role CloudFormation assumes to change the stack (a service role) [default: the config file\'s, or the role the stack already uses]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l execute -d 'Execute a change set `deploy --no-execute` kept (its name or ARN), after the checks a deploy runs: the settings are the change set\'s, so no setting flag goes with it' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l region -d 'AWS region (default: AWS_REGION, then the profile\'s region)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l profile -d 'Named profile from the AWS config files (default: AWS_PROFILE)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l endpoint-url -d 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l stack -l stack-name -d 'The relay stack\'s name; every resource evrelay creates is named from it [default: the config file\'s `stack`, else event-relay-app]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l config -d 'The evrelay config file that remembers each relay\'s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]' -r -F
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l output -d 'How to print results' -r -f -a "table\t''
json\t''"
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l secret-stdin -d 'Read the endpoint\'s API key from stdin (one line)'
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l generate-secret -d 'Generate a random API key (never printed: read it from Secrets Manager when needed)'
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l no-alarms -d 'Remove the stack\'s alarms (and the topic it made for an email address)'
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l dry-run -d 'Show the change set, then stop (the change set is deleted; nothing changes)'
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l no-execute -d 'Create the change set, show it and keep it for review, as `sam deploy --no-execute-changeset` does: no prompt, no VPC endpoint, nothing else changes; the output says how to run it (`evrelay deploy --execute CHANGE_SET`)'
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -s y -l yes -d 'Answer yes to every confirmation (needed without a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -s v -l verbose -d 'Show more detail, including the full cause of errors'
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -s q -l quiet -d 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -l no-color -d 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c evrelay -n "__fish_evrelay_using_subcommand deploy" -s V -l version -d 'Print version'
complete -c evrelay -n "__fish_evrelay_using_subcommand send" -l detail -d 'The event\'s detail: inline JSON, @FILE, or - for stdin (one JSON document per line)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand send" -l detail-type -d 'The event\'s detail-type' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand send" -l source -d 'The event\'s source' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand send" -l bus -d 'The bus to send to (default: the stack\'s bus)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand send" -l endpoint-id -d 'Send through the global endpoint with this id (DescribeEndpoint\'s EndpointId, e.g. abcde12345.veo), signed with SigV4a; the bus must have the same name in both Regions' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand send" -l count -d 'How many events to send (with --detail, each detail is sent this many times)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand send" -l concurrency -d 'PutEvents requests in flight at once [default: 8; with --rate, 64, so requests slowed by retries do not hold back the ones due after them]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand send" -l rate -d 'Send at this steady rate for a load test, e.g. 50/s or 600/m: --count events, or for --duration (the output gives the rates asked, issued and accepted, throttles and retries)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand send" -l duration -d 'With --rate: send for this long (rate × duration events), e.g. 30s, 5m' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand send" -l timeout -d 'How long to wait for responses, e.g. 30s, 2m' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand send" -l region -d 'AWS region (default: AWS_REGION, then the profile\'s region)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand send" -l profile -d 'Named profile from the AWS config files (default: AWS_PROFILE)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand send" -l endpoint-url -d 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand send" -l stack -l stack-name -d 'The relay stack\'s name; every resource evrelay creates is named from it [default: the config file\'s `stack`, else event-relay-app]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand send" -l config -d 'The evrelay config file that remembers each relay\'s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]' -r -F
complete -c evrelay -n "__fish_evrelay_using_subcommand send" -l output -d 'How to print results' -r -f -a "table\t''
json\t''"
complete -c evrelay -n "__fish_evrelay_using_subcommand send" -l global -d 'Send through the stack\'s EventBridge global endpoint (a relay pair, `deploy --secondary-region`; run in the primary Region): EventBridge routes the events to the Region its health check says, and the requests are signed with SigV4a'
complete -c evrelay -n "__fish_evrelay_using_subcommand send" -l return-response -d 'Ask the relay for a response event and wait for it'
complete -c evrelay -n "__fish_evrelay_using_subcommand send" -s y -l yes -d 'Answer yes to every confirmation (needed without a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand send" -s v -l verbose -d 'Show more detail, including the full cause of errors'
complete -c evrelay -n "__fish_evrelay_using_subcommand send" -s q -l quiet -d 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
complete -c evrelay -n "__fish_evrelay_using_subcommand send" -l no-color -d 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand send" -s h -l help -d 'Print help'
complete -c evrelay -n "__fish_evrelay_using_subcommand send" -s V -l version -d 'Print version'
complete -c evrelay -n "__fish_evrelay_using_subcommand logs" -l since -d 'Start from this long ago (10m, 2h, 1d) or from an RFC 3339 timestamp' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand logs" -l filter -d 'A CloudWatch Logs filter pattern' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand logs" -l until -d 'Stop at this long ago (5m) or at an RFC 3339 timestamp [default: now]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand logs" -l source -d 'Which log group to read' -r -f -a "relay\t''
events\t''
all\t''"
complete -c evrelay -n "__fish_evrelay_using_subcommand logs" -l region -d 'AWS region (default: AWS_REGION, then the profile\'s region)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand logs" -l profile -d 'Named profile from the AWS config files (default: AWS_PROFILE)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand logs" -l endpoint-url -d 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand logs" -l stack -l stack-name -d 'The relay stack\'s name; every resource evrelay creates is named from it [default: the config file\'s `stack`, else event-relay-app]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand logs" -l config -d 'The evrelay config file that remembers each relay\'s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]' -r -F
complete -c evrelay -n "__fish_evrelay_using_subcommand logs" -l output -d 'How to print results' -r -f -a "table\t''
json\t''"
complete -c evrelay -n "__fish_evrelay_using_subcommand logs" -s f -l follow -d 'Keep printing new lines as they arrive'
complete -c evrelay -n "__fish_evrelay_using_subcommand logs" -s y -l yes -d 'Answer yes to every confirmation (needed without a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand logs" -s v -l verbose -d 'Show more detail, including the full cause of errors'
complete -c evrelay -n "__fish_evrelay_using_subcommand logs" -s q -l quiet -d 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
complete -c evrelay -n "__fish_evrelay_using_subcommand logs" -l no-color -d 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand logs" -s h -l help -d 'Print help'
complete -c evrelay -n "__fish_evrelay_using_subcommand logs" -s V -l version -d 'Print version'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and not __fish_seen_subcommand_from peek drain redrive purge help" -l region -d 'AWS region (default: AWS_REGION, then the profile\'s region)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and not __fish_seen_subcommand_from peek drain redrive purge help" -l profile -d 'Named profile from the AWS config files (default: AWS_PROFILE)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and not __fish_seen_subcommand_from peek drain redrive purge help" -l endpoint-url -d 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and not __fish_seen_subcommand_from peek drain redrive purge help" -l stack -l stack-name -d 'The relay stack\'s name; every resource evrelay creates is named from it [default: the config file\'s `stack`, else event-relay-app]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and not __fish_seen_subcommand_from peek drain redrive purge help" -l config -d 'The evrelay config file that remembers each relay\'s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]' -r -F
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and not __fish_seen_subcommand_from peek drain redrive purge help" -l output -d 'How to print results' -r -f -a "table\t''
json\t''"
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and not __fish_seen_subcommand_from peek drain redrive purge help" -s y -l yes -d 'Answer yes to every confirmation (needed without a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and not __fish_seen_subcommand_from peek drain redrive purge help" -s v -l verbose -d 'Show more detail, including the full cause of errors'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and not __fish_seen_subcommand_from peek drain redrive purge help" -s q -l quiet -d 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and not __fish_seen_subcommand_from peek drain redrive purge help" -l no-color -d 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and not __fish_seen_subcommand_from peek drain redrive purge help" -s h -l help -d 'Print help'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and not __fish_seen_subcommand_from peek drain redrive purge help" -s V -l version -d 'Print version'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and not __fish_seen_subcommand_from peek drain redrive purge help" -f -a "peek" -d 'List failed events without consuming them'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and not __fish_seen_subcommand_from peek drain redrive purge help" -f -a "drain" -d 'Append every message to a JSON Lines file, then delete it from the queue'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and not __fish_seen_subcommand_from peek drain redrive purge help" -f -a "redrive" -d 'Put each failed event back on the bus; delete only what was re-sent. Buffered delivery: move the events back to the buffer queue (an SQS message move task), ids unchanged'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and not __fish_seen_subcommand_from peek drain redrive purge help" -f -a "purge" -d 'Delete every message in the queue'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and not __fish_seen_subcommand_from peek drain redrive purge help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from peek" -l max -d 'Show at most this many messages' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from peek" -l region -d 'AWS region (default: AWS_REGION, then the profile\'s region)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from peek" -l profile -d 'Named profile from the AWS config files (default: AWS_PROFILE)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from peek" -l endpoint-url -d 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from peek" -l stack -l stack-name -d 'The relay stack\'s name; every resource evrelay creates is named from it [default: the config file\'s `stack`, else event-relay-app]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from peek" -l config -d 'The evrelay config file that remembers each relay\'s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]' -r -F
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from peek" -l output -d 'How to print results' -r -f -a "table\t''
json\t''"
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from peek" -l wide -d 'Show every column (time, detail event id, detail type, condition) and whole reasons'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from peek" -s y -l yes -d 'Answer yes to every confirmation (needed without a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from peek" -s v -l verbose -d 'Show more detail, including the full cause of errors'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from peek" -s q -l quiet -d 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from peek" -l no-color -d 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from peek" -s h -l help -d 'Print help'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from peek" -s V -l version -d 'Print version'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l out -d 'The file to append to (fsynced before each delete)' -r -F
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l visibility-timeout -d 'How long a received message stays hidden before it returns to the queue if evrelay stops before deleting it, e.g. 60s' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l region -d 'AWS region (default: AWS_REGION, then the profile\'s region)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l profile -d 'Named profile from the AWS config files (default: AWS_PROFILE)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l endpoint-url -d 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l stack -l stack-name -d 'The relay stack\'s name; every resource evrelay creates is named from it [default: the config file\'s `stack`, else event-relay-app]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l config -d 'The evrelay config file that remembers each relay\'s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]' -r -F
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l output -d 'How to print results' -r -f -a "table\t''
json\t''"
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from drain" -s y -l yes -d 'Answer yes to every confirmation (needed without a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from drain" -s v -l verbose -d 'Show more detail, including the full cause of errors'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from drain" -s q -l quiet -d 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from drain" -l no-color -d 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from drain" -s h -l help -d 'Print help'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from drain" -s V -l version -d 'Print version'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from redrive" -l bus -d 'The bus to put the events on (default: the stack\'s bus). Buffered delivery: re-send through this bus instead of moving the messages to the buffer' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from redrive" -l region -d 'AWS region (default: AWS_REGION, then the profile\'s region)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from redrive" -l profile -d 'Named profile from the AWS config files (default: AWS_PROFILE)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from redrive" -l endpoint-url -d 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from redrive" -l stack -l stack-name -d 'The relay stack\'s name; every resource evrelay creates is named from it [default: the config file\'s `stack`, else event-relay-app]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from redrive" -l config -d 'The evrelay config file that remembers each relay\'s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]' -r -F
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from redrive" -l output -d 'How to print results' -r -f -a "table\t''
json\t''"
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from redrive" -l dry-run -d 'Show what would be re-sent, change nothing'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from redrive" -s y -l yes -d 'Answer yes to every confirmation (needed without a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from redrive" -s v -l verbose -d 'Show more detail, including the full cause of errors'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from redrive" -s q -l quiet -d 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from redrive" -l no-color -d 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from redrive" -s h -l help -d 'Print help'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from redrive" -s V -l version -d 'Print version'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l region -d 'AWS region (default: AWS_REGION, then the profile\'s region)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l profile -d 'Named profile from the AWS config files (default: AWS_PROFILE)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l endpoint-url -d 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l stack -l stack-name -d 'The relay stack\'s name; every resource evrelay creates is named from it [default: the config file\'s `stack`, else event-relay-app]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l config -d 'The evrelay config file that remembers each relay\'s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]' -r -F
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l output -d 'How to print results' -r -f -a "table\t''
json\t''"
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from purge" -s y -l yes -d 'Answer yes to every confirmation (needed without a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from purge" -s v -l verbose -d 'Show more detail, including the full cause of errors'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from purge" -s q -l quiet -d 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l no-color -d 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from purge" -s h -l help -d 'Print help'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from purge" -s V -l version -d 'Print version'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from help" -f -a "peek" -d 'List failed events without consuming them'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from help" -f -a "drain" -d 'Append every message to a JSON Lines file, then delete it from the queue'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from help" -f -a "redrive" -d 'Put each failed event back on the bus; delete only what was re-sent. Buffered delivery: move the events back to the buffer queue (an SQS message move task), ids unchanged'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from help" -f -a "purge" -d 'Delete every message in the queue'
complete -c evrelay -n "__fish_evrelay_using_subcommand dlq; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c evrelay -n "__fish_evrelay_using_subcommand status" -l since -d 'The health section\'s window: how far back to read the relay\'s metrics (15m, 1h, 7d)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand status" -l period -d 'Time per datapoint, a whole number of minutes [default: 1m up to a 3h window, 5m up to 15d, 1h beyond]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand status" -l region -d 'AWS region (default: AWS_REGION, then the profile\'s region)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand status" -l profile -d 'Named profile from the AWS config files (default: AWS_PROFILE)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand status" -l endpoint-url -d 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand status" -l stack -l stack-name -d 'The relay stack\'s name; every resource evrelay creates is named from it [default: the config file\'s `stack`, else event-relay-app]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand status" -l config -d 'The evrelay config file that remembers each relay\'s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]' -r -F
complete -c evrelay -n "__fish_evrelay_using_subcommand status" -l output -d 'How to print results' -r -f -a "table\t''
json\t''"
complete -c evrelay -n "__fish_evrelay_using_subcommand status" -l watch -d 'Follow a change in progress until the stack settles, then show the status (Ctrl-C stops watching)'
complete -c evrelay -n "__fish_evrelay_using_subcommand status" -l no-health -d 'Leave out the health section (and its CloudWatch call)'
complete -c evrelay -n "__fish_evrelay_using_subcommand status" -s y -l yes -d 'Answer yes to every confirmation (needed without a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand status" -s v -l verbose -d 'Show more detail, including the full cause of errors'
complete -c evrelay -n "__fish_evrelay_using_subcommand status" -s q -l quiet -d 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
complete -c evrelay -n "__fish_evrelay_using_subcommand status" -l no-color -d 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand status" -s h -l help -d 'Print help'
complete -c evrelay -n "__fish_evrelay_using_subcommand status" -s V -l version -d 'Print version'
complete -c evrelay -n "__fish_evrelay_using_subcommand top" -l since -d 'How far back the charts reach, as `status --since` (15m, 1h, 7d)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand top" -l interval -d 'How often to refresh: 1s or more' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand top" -l region -d 'AWS region (default: AWS_REGION, then the profile\'s region)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand top" -l profile -d 'Named profile from the AWS config files (default: AWS_PROFILE)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand top" -l endpoint-url -d 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand top" -l stack -l stack-name -d 'The relay stack\'s name; every resource evrelay creates is named from it [default: the config file\'s `stack`, else event-relay-app]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand top" -l config -d 'The evrelay config file that remembers each relay\'s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]' -r -F
complete -c evrelay -n "__fish_evrelay_using_subcommand top" -l output -d 'How to print results' -r -f -a "table\t''
json\t''"
complete -c evrelay -n "__fish_evrelay_using_subcommand top" -s y -l yes -d 'Answer yes to every confirmation (needed without a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand top" -s v -l verbose -d 'Show more detail, including the full cause of errors'
complete -c evrelay -n "__fish_evrelay_using_subcommand top" -s q -l quiet -d 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
complete -c evrelay -n "__fish_evrelay_using_subcommand top" -l no-color -d 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand top" -s h -l help -d 'Print help'
complete -c evrelay -n "__fish_evrelay_using_subcommand top" -s V -l version -d 'Print version'
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and not __fish_seen_subcommand_from start stop help" -l region -d 'AWS region (default: AWS_REGION, then the profile\'s region)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and not __fish_seen_subcommand_from start stop help" -l profile -d 'Named profile from the AWS config files (default: AWS_PROFILE)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and not __fish_seen_subcommand_from start stop help" -l endpoint-url -d 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and not __fish_seen_subcommand_from start stop help" -l stack -l stack-name -d 'The relay stack\'s name; every resource evrelay creates is named from it [default: the config file\'s `stack`, else event-relay-app]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and not __fish_seen_subcommand_from start stop help" -l config -d 'The evrelay config file that remembers each relay\'s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]' -r -F
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and not __fish_seen_subcommand_from start stop help" -l output -d 'How to print results' -r -f -a "table\t''
json\t''"
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and not __fish_seen_subcommand_from start stop help" -s y -l yes -d 'Answer yes to every confirmation (needed without a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and not __fish_seen_subcommand_from start stop help" -s v -l verbose -d 'Show more detail, including the full cause of errors'
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and not __fish_seen_subcommand_from start stop help" -s q -l quiet -d 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and not __fish_seen_subcommand_from start stop help" -l no-color -d 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and not __fish_seen_subcommand_from start stop help" -s h -l help -d 'Print help'
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and not __fish_seen_subcommand_from start stop help" -s V -l version -d 'Print version'
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and not __fish_seen_subcommand_from start stop help" -f -a "start" -d 'Invert the global endpoint\'s Route 53 health check, so events sent through the endpoint go to the secondary Region\'s bus, and wait until Route 53 reports the check unhealthy'
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and not __fish_seen_subcommand_from start stop help" -f -a "stop" -d 'Restore the health check, so events go to the primary Region\'s bus again, and wait until Route 53 reports it healthy'
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and not __fish_seen_subcommand_from start stop help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from start" -l timeout -d 'How long to wait for Route 53 to report the new status, e.g. 5m, 90s (its checkers read the alarm every 10 to 30 seconds)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from start" -l region -d 'AWS region (default: AWS_REGION, then the profile\'s region)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from start" -l profile -d 'Named profile from the AWS config files (default: AWS_PROFILE)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from start" -l endpoint-url -d 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from start" -l stack -l stack-name -d 'The relay stack\'s name; every resource evrelay creates is named from it [default: the config file\'s `stack`, else event-relay-app]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from start" -l config -d 'The evrelay config file that remembers each relay\'s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]' -r -F
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from start" -l output -d 'How to print results' -r -f -a "table\t''
json\t''"
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from start" -s y -l yes -d 'Answer yes to every confirmation (needed without a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from start" -s v -l verbose -d 'Show more detail, including the full cause of errors'
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from start" -s q -l quiet -d 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from start" -l no-color -d 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from start" -s h -l help -d 'Print help'
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from start" -s V -l version -d 'Print version'
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from stop" -l timeout -d 'How long to wait for Route 53 to report the new status, e.g. 5m, 90s (its checkers read the alarm every 10 to 30 seconds)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from stop" -l region -d 'AWS region (default: AWS_REGION, then the profile\'s region)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from stop" -l profile -d 'Named profile from the AWS config files (default: AWS_PROFILE)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from stop" -l endpoint-url -d 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from stop" -l stack -l stack-name -d 'The relay stack\'s name; every resource evrelay creates is named from it [default: the config file\'s `stack`, else event-relay-app]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from stop" -l config -d 'The evrelay config file that remembers each relay\'s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]' -r -F
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from stop" -l output -d 'How to print results' -r -f -a "table\t''
json\t''"
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from stop" -s y -l yes -d 'Answer yes to every confirmation (needed without a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from stop" -s v -l verbose -d 'Show more detail, including the full cause of errors'
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from stop" -s q -l quiet -d 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from stop" -l no-color -d 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from stop" -s h -l help -d 'Print help'
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from stop" -s V -l version -d 'Print version'
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from help" -f -a "start" -d 'Invert the global endpoint\'s Route 53 health check, so events sent through the endpoint go to the secondary Region\'s bus, and wait until Route 53 reports the check unhealthy'
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from help" -f -a "stop" -d 'Restore the health check, so events go to the primary Region\'s bus again, and wait until Route 53 reports it healthy'
complete -c evrelay -n "__fish_evrelay_using_subcommand failover; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c evrelay -n "__fish_evrelay_using_subcommand replay" -l from -d 'Replay events whose time is at or after this: a duration back from now (2h, 90m, 1d) or an RFC 3339 time (2026-12-04T08:00:00Z)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand replay" -l to -d 'Replay events whose time is before this, in the same forms [default: now]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand replay" -l cancel -d 'Cancel a replay evrelay started for this stack (its name is in replay\'s output)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand replay" -l timeout -d 'How long to watch the replay, e.g. 30m, 2h (it goes on in AWS after that)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand replay" -l region -d 'AWS region (default: AWS_REGION, then the profile\'s region)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand replay" -l profile -d 'Named profile from the AWS config files (default: AWS_PROFILE)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand replay" -l endpoint-url -d 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand replay" -l stack -l stack-name -d 'The relay stack\'s name; every resource evrelay creates is named from it [default: the config file\'s `stack`, else event-relay-app]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand replay" -l config -d 'The evrelay config file that remembers each relay\'s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]' -r -F
complete -c evrelay -n "__fish_evrelay_using_subcommand replay" -l output -d 'How to print results' -r -f -a "table\t''
json\t''"
complete -c evrelay -n "__fish_evrelay_using_subcommand replay" -s y -l yes -d 'Answer yes to every confirmation (needed without a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand replay" -s v -l verbose -d 'Show more detail, including the full cause of errors'
complete -c evrelay -n "__fish_evrelay_using_subcommand replay" -s q -l quiet -d 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
complete -c evrelay -n "__fish_evrelay_using_subcommand replay" -l no-color -d 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand replay" -s h -l help -d 'Print help'
complete -c evrelay -n "__fish_evrelay_using_subcommand replay" -s V -l version -d 'Print version'
complete -c evrelay -n "__fish_evrelay_using_subcommand destroy" -l timeout -d 'How long to wait for the stack to be deleted, e.g. 45m, 1h, 90s (a VPC-attached Lambda\'s network interfaces can take 20-45 minutes to be released)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand destroy" -l role-arn -d 'The CloudFormation service role to delete the stack with (DeleteStack\'s RoleARN), for a stack whose own role is gone or can no longer be assumed. Without it CloudFormation uses the stack\'s role' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand destroy" -l region -d 'AWS region (default: AWS_REGION, then the profile\'s region)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand destroy" -l profile -d 'Named profile from the AWS config files (default: AWS_PROFILE)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand destroy" -l endpoint-url -d 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand destroy" -l stack -l stack-name -d 'The relay stack\'s name; every resource evrelay creates is named from it [default: the config file\'s `stack`, else event-relay-app]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand destroy" -l config -d 'The evrelay config file that remembers each relay\'s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]' -r -F
complete -c evrelay -n "__fish_evrelay_using_subcommand destroy" -l output -d 'How to print results' -r -f -a "table\t''
json\t''"
complete -c evrelay -n "__fish_evrelay_using_subcommand destroy" -l keep-endpoints -d 'Leave the VPC endpoints evrelay created for this stack, handed to the VPC: re-tagged `evrelay:released-from=<stack>`, so no evrelay stack deletes them later'
complete -c evrelay -n "__fish_evrelay_using_subcommand destroy" -l delete-endpoints -d 'Delete the VPC endpoints evrelay created even when other network interfaces in the VPC may reach Secrets Manager or EventBridge only through them (the plan names them first). Without it such endpoints are kept for the VPC'
complete -c evrelay -n "__fish_evrelay_using_subcommand destroy" -l ignore-missing -d 'Exit 0 when there is no such stack and nothing evrelay made for it (for teardown scripts; without it a stack that never existed is an error, exit 1)'
complete -c evrelay -n "__fish_evrelay_using_subcommand destroy" -l delete-failed-events -d 'With --yes: destroy even though the DLQ holds failed events, which are then lost (keep them first with `evrelay dlq drain --out FILE`)'
complete -c evrelay -n "__fish_evrelay_using_subcommand destroy" -l delete-buffered-events -d 'With --yes: destroy even though the buffer (buffered delivery) holds events the relay has not delivered yet, which are then lost (let the relay deliver them first). Apart from --delete-failed-events: accepting to lose failed events is not accepting to lose a backlog never tried'
complete -c evrelay -n "__fish_evrelay_using_subcommand destroy" -s y -l yes -d 'Answer yes to every confirmation (needed without a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand destroy" -s v -l verbose -d 'Show more detail, including the full cause of errors'
complete -c evrelay -n "__fish_evrelay_using_subcommand destroy" -s q -l quiet -d 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
complete -c evrelay -n "__fish_evrelay_using_subcommand destroy" -l no-color -d 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand destroy" -s h -l help -d 'Print help'
complete -c evrelay -n "__fish_evrelay_using_subcommand destroy" -s V -l version -d 'Print version'
complete -c evrelay -n "__fish_evrelay_using_subcommand delete" -l timeout -d 'How long to wait for the stack to be deleted, e.g. 45m, 1h, 90s (a VPC-attached Lambda\'s network interfaces can take 20-45 minutes to be released)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand delete" -l role-arn -d 'The CloudFormation service role to delete the stack with (DeleteStack\'s RoleARN), for a stack whose own role is gone or can no longer be assumed. Without it CloudFormation uses the stack\'s role' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand delete" -l region -d 'AWS region (default: AWS_REGION, then the profile\'s region)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand delete" -l profile -d 'Named profile from the AWS config files (default: AWS_PROFILE)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand delete" -l endpoint-url -d 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand delete" -l stack -l stack-name -d 'The relay stack\'s name; every resource evrelay creates is named from it [default: the config file\'s `stack`, else event-relay-app]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand delete" -l config -d 'The evrelay config file that remembers each relay\'s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]' -r -F
complete -c evrelay -n "__fish_evrelay_using_subcommand delete" -l output -d 'How to print results' -r -f -a "table\t''
json\t''"
complete -c evrelay -n "__fish_evrelay_using_subcommand delete" -l keep-endpoints -d 'Leave the VPC endpoints evrelay created for this stack, handed to the VPC: re-tagged `evrelay:released-from=<stack>`, so no evrelay stack deletes them later'
complete -c evrelay -n "__fish_evrelay_using_subcommand delete" -l delete-endpoints -d 'Delete the VPC endpoints evrelay created even when other network interfaces in the VPC may reach Secrets Manager or EventBridge only through them (the plan names them first). Without it such endpoints are kept for the VPC'
complete -c evrelay -n "__fish_evrelay_using_subcommand delete" -l ignore-missing -d 'Exit 0 when there is no such stack and nothing evrelay made for it (for teardown scripts; without it a stack that never existed is an error, exit 1)'
complete -c evrelay -n "__fish_evrelay_using_subcommand delete" -l delete-failed-events -d 'With --yes: destroy even though the DLQ holds failed events, which are then lost (keep them first with `evrelay dlq drain --out FILE`)'
complete -c evrelay -n "__fish_evrelay_using_subcommand delete" -l delete-buffered-events -d 'With --yes: destroy even though the buffer (buffered delivery) holds events the relay has not delivered yet, which are then lost (let the relay deliver them first). Apart from --delete-failed-events: accepting to lose failed events is not accepting to lose a backlog never tried'
complete -c evrelay -n "__fish_evrelay_using_subcommand delete" -s y -l yes -d 'Answer yes to every confirmation (needed without a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand delete" -s v -l verbose -d 'Show more detail, including the full cause of errors'
complete -c evrelay -n "__fish_evrelay_using_subcommand delete" -s q -l quiet -d 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
complete -c evrelay -n "__fish_evrelay_using_subcommand delete" -l no-color -d 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand delete" -s h -l help -d 'Print help'
complete -c evrelay -n "__fish_evrelay_using_subcommand delete" -s V -l version -d 'Print version'
complete -c evrelay -n "__fish_evrelay_using_subcommand template" -l param -d 'Set a parameter\'s default in the printed template (repeatable), e.g. TargetUrl=http://… . The secret cannot be set this way' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand template" -l region -d 'AWS region (default: AWS_REGION, then the profile\'s region)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand template" -l profile -d 'Named profile from the AWS config files (default: AWS_PROFILE)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand template" -l endpoint-url -d 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand template" -l stack -l stack-name -d 'The relay stack\'s name; every resource evrelay creates is named from it [default: the config file\'s `stack`, else event-relay-app]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand template" -l config -d 'The evrelay config file that remembers each relay\'s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]' -r -F
complete -c evrelay -n "__fish_evrelay_using_subcommand template" -l output -d 'How to print results' -r -f -a "table\t''
json\t''"
complete -c evrelay -n "__fish_evrelay_using_subcommand template" -s y -l yes -d 'Answer yes to every confirmation (needed without a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand template" -s v -l verbose -d 'Show more detail, including the full cause of errors'
complete -c evrelay -n "__fish_evrelay_using_subcommand template" -s q -l quiet -d 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
complete -c evrelay -n "__fish_evrelay_using_subcommand template" -l no-color -d 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand template" -s h -l help -d 'Print help'
complete -c evrelay -n "__fish_evrelay_using_subcommand template" -s V -l version -d 'Print version'
complete -c evrelay -n "__fish_evrelay_using_subcommand policy" -l role-arn -d 'The CloudFormation service role deploy and destroy pass (adds iam:PassRole on it) [default: the config file\'s role_arn for this stack and region]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand policy" -l region -d 'AWS region (default: AWS_REGION, then the profile\'s region)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand policy" -l profile -d 'Named profile from the AWS config files (default: AWS_PROFILE)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand policy" -l endpoint-url -d 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand policy" -l stack -l stack-name -d 'The relay stack\'s name; every resource evrelay creates is named from it [default: the config file\'s `stack`, else event-relay-app]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand policy" -l config -d 'The evrelay config file that remembers each relay\'s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]' -r -F
complete -c evrelay -n "__fish_evrelay_using_subcommand policy" -l output -d 'How to print results' -r -f -a "table\t''
json\t''"
complete -c evrelay -n "__fish_evrelay_using_subcommand policy" -s y -l yes -d 'Answer yes to every confirmation (needed without a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand policy" -s v -l verbose -d 'Show more detail, including the full cause of errors'
complete -c evrelay -n "__fish_evrelay_using_subcommand policy" -s q -l quiet -d 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
complete -c evrelay -n "__fish_evrelay_using_subcommand policy" -l no-color -d 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand policy" -s h -l help -d 'Print help'
complete -c evrelay -n "__fish_evrelay_using_subcommand policy" -s V -l version -d 'Print version'
complete -c evrelay -n "__fish_evrelay_using_subcommand completions" -l region -d 'AWS region (default: AWS_REGION, then the profile\'s region)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand completions" -l profile -d 'Named profile from the AWS config files (default: AWS_PROFILE)' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand completions" -l endpoint-url -d 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand completions" -l stack -l stack-name -d 'The relay stack\'s name; every resource evrelay creates is named from it [default: the config file\'s `stack`, else event-relay-app]' -r
complete -c evrelay -n "__fish_evrelay_using_subcommand completions" -l config -d 'The evrelay config file that remembers each relay\'s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]' -r -F
complete -c evrelay -n "__fish_evrelay_using_subcommand completions" -l output -d 'How to print results' -r -f -a "table\t''
json\t''"
complete -c evrelay -n "__fish_evrelay_using_subcommand completions" -s y -l yes -d 'Answer yes to every confirmation (needed without a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand completions" -s v -l verbose -d 'Show more detail, including the full cause of errors'
complete -c evrelay -n "__fish_evrelay_using_subcommand completions" -s q -l quiet -d 'Print only data (stdout) and errors: no notes, warnings, progress or live view'
complete -c evrelay -n "__fish_evrelay_using_subcommand completions" -l no-color -d 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)'
complete -c evrelay -n "__fish_evrelay_using_subcommand completions" -s h -l help -d 'Print help'
complete -c evrelay -n "__fish_evrelay_using_subcommand completions" -s V -l version -d 'Print version'
complete -c evrelay -n "__fish_evrelay_using_subcommand help; and not __fish_seen_subcommand_from discover deploy send logs dlq status top failover replay destroy template policy completions help" -f -a "discover" -d 'Find the private subnets, node security group and internal ALB a relay needs'
complete -c evrelay -n "__fish_evrelay_using_subcommand help; and not __fish_seen_subcommand_from discover deploy send logs dlq status top failover replay destroy template policy completions help" -f -a "deploy" -d 'Create or update the relay stack and the VPC endpoints it needs'
complete -c evrelay -n "__fish_evrelay_using_subcommand help; and not __fish_seen_subcommand_from discover deploy send logs dlq status top failover replay destroy template policy completions help" -f -a "send" -d 'Put test events on the relay\'s bus, optionally waiting for the endpoint\'s response'
complete -c evrelay -n "__fish_evrelay_using_subcommand help; and not __fish_seen_subcommand_from discover deploy send logs dlq status top failover replay destroy template policy completions help" -f -a "logs" -d 'Read the relay\'s and the bus\'s logs, interleaved by time'
complete -c evrelay -n "__fish_evrelay_using_subcommand help; and not __fish_seen_subcommand_from discover deploy send logs dlq status top failover replay destroy template policy completions help" -f -a "dlq" -d 'Inspect and recover events that failed delivery'
complete -c evrelay -n "__fish_evrelay_using_subcommand help; and not __fish_seen_subcommand_from discover deploy send logs dlq status top failover replay destroy template policy completions help" -f -a "status" -d 'Show the relay stack, its resources, endpoints, queue depths and health (CloudWatch metrics)'
complete -c evrelay -n "__fish_evrelay_using_subcommand help; and not __fish_seen_subcommand_from discover deploy send logs dlq status top failover replay destroy template policy completions help" -f -a "top" -d 'A live dashboard of the relay: health, queues and the newest log lines (plain lines when piped)'
complete -c evrelay -n "__fish_evrelay_using_subcommand help; and not __fish_seen_subcommand_from discover deploy send logs dlq status top failover replay destroy template policy completions help" -f -a "failover" -d 'A relay pair\'s failover drill: invert the global endpoint\'s health check, then restore it'
complete -c evrelay -n "__fish_evrelay_using_subcommand help; and not __fish_seen_subcommand_from discover deploy send logs dlq status top failover replay destroy template policy completions help" -f -a "replay" -d 'Replay a relay pair\'s secondary archive to the secondary\'s bus, for a time window'
complete -c evrelay -n "__fish_evrelay_using_subcommand help; and not __fish_seen_subcommand_from discover deploy send logs dlq status top failover replay destroy template policy completions help" -f -a "destroy" -d 'Delete the relay stack and the VPC endpoints evrelay created for it'
complete -c evrelay -n "__fish_evrelay_using_subcommand help; and not __fish_seen_subcommand_from discover deploy send logs dlq status top failover replay destroy template policy completions help" -f -a "template" -d 'Print the relay\'s CloudFormation template, relay code inlined'
complete -c evrelay -n "__fish_evrelay_using_subcommand help; and not __fish_seen_subcommand_from discover deploy send logs dlq status top failover replay destroy template policy completions help" -f -a "policy" -d 'Print the least-privilege IAM policy for deploy, operate, destroy, or all three'
complete -c evrelay -n "__fish_evrelay_using_subcommand help; and not __fish_seen_subcommand_from discover deploy send logs dlq status top failover replay destroy template policy completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c evrelay -n "__fish_evrelay_using_subcommand help; and not __fish_seen_subcommand_from discover deploy send logs dlq status top failover replay destroy template policy completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c evrelay -n "__fish_evrelay_using_subcommand help; and __fish_seen_subcommand_from dlq" -f -a "peek" -d 'List failed events without consuming them'
complete -c evrelay -n "__fish_evrelay_using_subcommand help; and __fish_seen_subcommand_from dlq" -f -a "drain" -d 'Append every message to a JSON Lines file, then delete it from the queue'
complete -c evrelay -n "__fish_evrelay_using_subcommand help; and __fish_seen_subcommand_from dlq" -f -a "redrive" -d 'Put each failed event back on the bus; delete only what was re-sent. Buffered delivery: move the events back to the buffer queue (an SQS message move task), ids unchanged'
complete -c evrelay -n "__fish_evrelay_using_subcommand help; and __fish_seen_subcommand_from dlq" -f -a "purge" -d 'Delete every message in the queue'
complete -c evrelay -n "__fish_evrelay_using_subcommand help; and __fish_seen_subcommand_from failover" -f -a "start" -d 'Invert the global endpoint\'s Route 53 health check, so events sent through the endpoint go to the secondary Region\'s bus, and wait until Route 53 reports the check unhealthy'
complete -c evrelay -n "__fish_evrelay_using_subcommand help; and __fish_seen_subcommand_from failover" -f -a "stop" -d 'Restore the health check, so events go to the primary Region\'s bus again, and wait until Route 53 reports it healthy'

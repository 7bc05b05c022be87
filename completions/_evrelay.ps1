
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'evrelay' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'evrelay'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'evrelay' {
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (default: AWS_REGION, then the profile''s region)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (default: AWS_PROFILE)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--stack-name', '--stack-name', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print results')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('discover', 'discover', [CompletionResultType]::ParameterValue, 'Find the private subnets, node security group and internal ALB a relay needs')
            [CompletionResult]::new('deploy', 'deploy', [CompletionResultType]::ParameterValue, 'Create or update the relay stack and the VPC endpoints it needs')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Put test events on the relay''s bus, optionally waiting for the endpoint''s response')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Read the relay''s and the bus''s logs, interleaved by time')
            [CompletionResult]::new('dlq', 'dlq', [CompletionResultType]::ParameterValue, 'Inspect and recover events that failed delivery')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the relay stack, its resources, endpoints, queue depths and health (CloudWatch metrics)')
            [CompletionResult]::new('top', 'top', [CompletionResultType]::ParameterValue, 'A live dashboard of the relay: health, queues and the newest log lines (plain lines when piped)')
            [CompletionResult]::new('failover', 'failover', [CompletionResultType]::ParameterValue, 'A relay pair''s failover drill: invert the global endpoint''s health check, then restore it')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Replay a relay pair''s secondary archive to the secondary''s bus, for a time window')
            [CompletionResult]::new('destroy', 'destroy', [CompletionResultType]::ParameterValue, 'Delete the relay stack and the VPC endpoints evrelay created for it')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete the relay stack and the VPC endpoints evrelay created for it')
            [CompletionResult]::new('template', 'template', [CompletionResultType]::ParameterValue, 'Print the relay''s CloudFormation template, relay code inlined')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Print the least-privilege IAM policy for deploy, operate, destroy, or all three')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'evrelay;discover' {
            [CompletionResult]::new('--vpc-id', '--vpc-id', [CompletionResultType]::ParameterName, 'Look in this VPC')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Look in the VPC of this EKS cluster (eksctl''s tags)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (default: AWS_REGION, then the profile''s region)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (default: AWS_PROFILE)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--stack-name', '--stack-name', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print results')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'evrelay;deploy' {
            [CompletionResult]::new('--subnet', '--subnet', [CompletionResultType]::ParameterName, 'A private subnet for the relay (repeat for each; at least two AZs)')
            [CompletionResult]::new('--security-group', '--security-group', [CompletionResultType]::ParameterName, 'The security group the relay runs in')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'The private endpoint every event is POSTed to, e.g. http://internal-app-123.us-east-1.elb.amazonaws.com/')
            [CompletionResult]::new('--vpc-id', '--vpc-id', [CompletionResultType]::ParameterName, 'Take discover''s picks from this VPC (explicit flags win)')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'Take discover''s picks from this EKS cluster''s VPC (explicit flags win)')
            [CompletionResult]::new('--secret-env', '--secret-env', [CompletionResultType]::ParameterName, 'Read the endpoint''s API key from this environment variable')
            [CompletionResult]::new('--detail-type', '--detail-type', [CompletionResultType]::ParameterName, 'The detail-type the inbound rule matches [default: inbound-event-sent, or the stack''s]')
            [CompletionResult]::new('--auth-header', '--auth-header', [CompletionResultType]::ParameterName, 'The header that carries the API key [default: api-key, or the stack''s]')
            [CompletionResult]::new('--reserved-concurrency', '--reserved-concurrency', [CompletionResultType]::ParameterName, 'Reserved concurrency for the relay, 0 = unreserved [default: 0, or the stack''s]')
            [CompletionResult]::new('--function-timeout', '--function-timeout', [CompletionResultType]::ParameterName, 'The relay function''s timeout in seconds, 30-900, and at least one invocation''s time budget (79 s with --read-timeout 10, 109 s with 25; a lower value is refused with the sum spelled out) [default: 90, or the stack''s]')
            [CompletionResult]::new('--read-timeout', '--read-timeout', [CompletionResultType]::ParameterName, 'How long the relay waits for the endpoint''s response in seconds, 1-25; each second adds two to the time budget --function-timeout must cover [default: 10, or the stack''s]')
            [CompletionResult]::new('--log-retention-days', '--log-retention-days', [CompletionResultType]::ParameterName, 'Days to keep the relay''s and the bus''s logs (a CloudWatch Logs retention value) [default: 14, or the stack''s]')
            [CompletionResult]::new('--delivery', '--delivery', [CompletionResultType]::ParameterName, 'How events reach the relay: `direct` (the inbound rule invokes it) or `buffered` (the rule fills the <stack>-buffer queue and an event source mapping feeds the relay at most --max-concurrency at a time) [default: direct, or the stack''s]')
            [CompletionResult]::new('--max-concurrency', '--max-concurrency', [CompletionResultType]::ParameterName, 'Buffered: the most relay invocations at once (the mapping''s ScalingConfig MaximumConcurrency), 2-1000; reserved concurrency, when set, must not be below it [default: 2, or the stack''s]')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Buffered: the most events per invocation, 1-10000; above 10 needs --batch-window 1 or more (Lambda''s rule); 1 by default, as only one event is sure to be posted within the default timeouts when the endpoint is at its slowest [default: 1, or the stack''s]')
            [CompletionResult]::new('--batch-window', '--batch-window', [CompletionResultType]::ParameterName, 'Buffered: the longest wait in seconds to fill a batch, 0-300 [default: 0, or the stack''s]')
            [CompletionResult]::new('--max-receive-count', '--max-receive-count', [CompletionResultType]::ParameterName, 'Buffered: receives of an event before the buffer moves it to the DLQ (its SQS redrive policy''s maxReceiveCount), 1-1000 [default: 5, or the stack''s]')
            [CompletionResult]::new('--events-endpoint', '--events-endpoint', [CompletionResultType]::ParameterName, 'The relay''s way to EventBridge when evrelay cannot verify its subnets'' route (a transit gateway, NAT instance or firewall): `create` an `events` interface endpoint, or `skip` it (that route reaches the internet). Such a route without this flag stops the deploy')
            [CompletionResult]::new('--skip-check', '--skip-check', [CompletionResultType]::ParameterName, 'Skip one reachability check whose path exists in a way evrelay cannot verify (repeat for each): target-egress, load-balancer-reach, service-reach, endpoint-reach, eventbridge-egress. What the check would have refused is printed with the plan; the file remembers the flag')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'The host name the endpoint serves: sent as Host and, over HTTPS, used for SNI and certificate verification while connecting to --url''s address [default: --url''s host, or the stack''s]')
            [CompletionResult]::new('--secret-id', '--secret-id', [CompletionResultType]::ParameterName, 'Use this existing Secrets Manager secret (name or ARN) as the API key: evrelay checks it exists and never reads or deletes it; the relay may read only this secret')
            [CompletionResult]::new('--ca-bundle', '--ca-bundle', [CompletionResultType]::ParameterName, 'PEM file of private CAs (e.g. ACM Private CA) the relay trusts besides the system store, for an endpoint whose certificate no public CA issued; the host name is still verified [default: the stack''s, else none]')
            [CompletionResult]::new('--alarms', '--alarms', [CompletionResultType]::ParameterName, 'Add CloudWatch alarms (DLQ not empty, relay errors, throttles, events waiting over 10 minutes, events dropped; the buffer''s age when buffered) notifying this SNS topic (its ARN, in the deploy''s region) or this email address (the stack makes a topic and subscribes it: nothing arrives until the address accepts AWS''s confirmation email) [default: the stack''s alarms, else none]')
            [CompletionResult]::new('--secondary-region', '--secondary-region', [CompletionResultType]::ParameterName, 'Deploy the relay in this Region too, under the same stack name, and an EventBridge global endpoint that fails over from this Region to it, with an archive of its bus for replay after failback [default: the config file''s, for a stack deployed as a pair]')
            [CompletionResult]::new('--secondary-vpc-id', '--secondary-vpc-id', [CompletionResultType]::ParameterName, 'Take discover''s picks for the secondary relay from this VPC in the secondary Region [default: the config file''s settings for the stack there, or its stack''s]')
            [CompletionResult]::new('--secondary-cluster', '--secondary-cluster', [CompletionResultType]::ParameterName, 'Take discover''s picks for the secondary relay from this EKS cluster''s VPC in the secondary Region')
            [CompletionResult]::new('--secondary-url', '--secondary-url', [CompletionResultType]::ParameterName, 'The private endpoint the secondary relay POSTs to (over discover''s pick or the file''s)')
            [CompletionResult]::new('--secondary-subnet', '--secondary-subnet', [CompletionResultType]::ParameterName, 'A private subnet for the secondary relay in the secondary Region, over discover''s picks or the file''s (repeat for each; at least two AZs)')
            [CompletionResult]::new('--secondary-security-group', '--secondary-security-group', [CompletionResultType]::ParameterName, 'The security group the secondary relay runs in, in the secondary Region (over discover''s pick or the file''s)')
            [CompletionResult]::new('--replication', '--replication', [CompletionResultType]::ParameterName, 'EventBridge copies each event sent through the endpoint to the secondary''s bus too, so its archive holds them for replay (AWS strongly recommends it) [default: on, or the pair''s]')
            [CompletionResult]::new('--archive-retention', '--archive-retention', [CompletionResultType]::ParameterName, 'Days the secondary''s archive keeps each event, 0 = indefinitely [default: 7, or the pair''s]')
            [CompletionResult]::new('--tags', '--tags', [CompletionResultType]::ParameterName, 'A tag for the stack, which CloudFormation propagates to its resources (repeat for each; evrelay''s own `evrelay:` tags cannot be set) [default: the config file''s, or the stack''s current tags]')
            [CompletionResult]::new('--role-arn', '--role-arn', [CompletionResultType]::ParameterName, 'The IAM role CloudFormation assumes to change the stack (a service role) [default: the config file''s, or the role the stack already uses]')
            [CompletionResult]::new('--execute', '--execute', [CompletionResultType]::ParameterName, 'Execute a change set `deploy --no-execute` kept (its name or ARN), after the checks a deploy runs: the settings are the change set''s, so no setting flag goes with it')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (default: AWS_REGION, then the profile''s region)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (default: AWS_PROFILE)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--stack-name', '--stack-name', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print results')
            [CompletionResult]::new('--secret-stdin', '--secret-stdin', [CompletionResultType]::ParameterName, 'Read the endpoint''s API key from stdin (one line)')
            [CompletionResult]::new('--generate-secret', '--generate-secret', [CompletionResultType]::ParameterName, 'Generate a random API key (never printed: read it from Secrets Manager when needed)')
            [CompletionResult]::new('--no-alarms', '--no-alarms', [CompletionResultType]::ParameterName, 'Remove the stack''s alarms (and the topic it made for an email address)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the change set, then stop (the change set is deleted; nothing changes)')
            [CompletionResult]::new('--no-execute', '--no-execute', [CompletionResultType]::ParameterName, 'Create the change set, show it and keep it for review, as `sam deploy --no-execute-changeset` does: no prompt, no VPC endpoint, nothing else changes; the output says how to run it (`evrelay deploy --execute CHANGE_SET`)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'evrelay;send' {
            [CompletionResult]::new('--detail', '--detail', [CompletionResultType]::ParameterName, 'The event''s detail: inline JSON, @FILE, or - for stdin (one JSON document per line)')
            [CompletionResult]::new('--detail-type', '--detail-type', [CompletionResultType]::ParameterName, 'The event''s detail-type')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'The event''s source')
            [CompletionResult]::new('--bus', '--bus', [CompletionResultType]::ParameterName, 'The bus to send to (default: the stack''s bus)')
            [CompletionResult]::new('--endpoint-id', '--endpoint-id', [CompletionResultType]::ParameterName, 'Send through the global endpoint with this id (DescribeEndpoint''s EndpointId, e.g. abcde12345.veo), signed with SigV4a; the bus must have the same name in both Regions')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'How many events to send (with --detail, each detail is sent this many times)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'PutEvents requests in flight at once [default: 8; with --rate, 64, so requests slowed by retries do not hold back the ones due after them]')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Send at this steady rate for a load test, e.g. 50/s or 600/m: --count events, or for --duration (the output gives the rates asked, issued and accepted, throttles and retries)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'With --rate: send for this long (rate × duration events), e.g. 30s, 5m')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for responses, e.g. 30s, 2m')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (default: AWS_REGION, then the profile''s region)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (default: AWS_PROFILE)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--stack-name', '--stack-name', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print results')
            [CompletionResult]::new('--global', '--global', [CompletionResultType]::ParameterName, 'Send through the stack''s EventBridge global endpoint (a relay pair, `deploy --secondary-region`; run in the primary Region): EventBridge routes the events to the Region its health check says, and the requests are signed with SigV4a')
            [CompletionResult]::new('--return-response', '--return-response', [CompletionResultType]::ParameterName, 'Ask the relay for a response event and wait for it')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'evrelay;logs' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Start from this long ago (10m, 2h, 1d) or from an RFC 3339 timestamp')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'A CloudWatch Logs filter pattern')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Stop at this long ago (5m) or at an RFC 3339 timestamp [default: now]')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Which log group to read')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (default: AWS_REGION, then the profile''s region)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (default: AWS_PROFILE)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--stack-name', '--stack-name', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print results')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep printing new lines as they arrive')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep printing new lines as they arrive')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'evrelay;dlq' {
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (default: AWS_REGION, then the profile''s region)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (default: AWS_PROFILE)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--stack-name', '--stack-name', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print results')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('peek', 'peek', [CompletionResultType]::ParameterValue, 'List failed events without consuming them')
            [CompletionResult]::new('drain', 'drain', [CompletionResultType]::ParameterValue, 'Append every message to a JSON Lines file, then delete it from the queue')
            [CompletionResult]::new('redrive', 'redrive', [CompletionResultType]::ParameterValue, 'Put each failed event back on the bus; delete only what was re-sent. Buffered delivery: move the events back to the buffer queue (an SQS message move task), ids unchanged')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Delete every message in the queue')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'evrelay;dlq;peek' {
            [CompletionResult]::new('--max', '--max', [CompletionResultType]::ParameterName, 'Show at most this many messages')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (default: AWS_REGION, then the profile''s region)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (default: AWS_PROFILE)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--stack-name', '--stack-name', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print results')
            [CompletionResult]::new('--wide', '--wide', [CompletionResultType]::ParameterName, 'Show every column (time, detail event id, detail type, condition) and whole reasons')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'evrelay;dlq;drain' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'The file to append to (fsynced before each delete)')
            [CompletionResult]::new('--visibility-timeout', '--visibility-timeout', [CompletionResultType]::ParameterName, 'How long a received message stays hidden before it returns to the queue if evrelay stops before deleting it, e.g. 60s')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (default: AWS_REGION, then the profile''s region)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (default: AWS_PROFILE)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--stack-name', '--stack-name', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print results')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'evrelay;dlq;redrive' {
            [CompletionResult]::new('--bus', '--bus', [CompletionResultType]::ParameterName, 'The bus to put the events on (default: the stack''s bus). Buffered delivery: re-send through this bus instead of moving the messages to the buffer')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (default: AWS_REGION, then the profile''s region)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (default: AWS_PROFILE)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--stack-name', '--stack-name', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print results')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be re-sent, change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'evrelay;dlq;purge' {
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (default: AWS_REGION, then the profile''s region)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (default: AWS_PROFILE)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--stack-name', '--stack-name', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print results')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'evrelay;dlq;help' {
            [CompletionResult]::new('peek', 'peek', [CompletionResultType]::ParameterValue, 'List failed events without consuming them')
            [CompletionResult]::new('drain', 'drain', [CompletionResultType]::ParameterValue, 'Append every message to a JSON Lines file, then delete it from the queue')
            [CompletionResult]::new('redrive', 'redrive', [CompletionResultType]::ParameterValue, 'Put each failed event back on the bus; delete only what was re-sent. Buffered delivery: move the events back to the buffer queue (an SQS message move task), ids unchanged')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Delete every message in the queue')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'evrelay;dlq;help;peek' {
            break
        }
        'evrelay;dlq;help;drain' {
            break
        }
        'evrelay;dlq;help;redrive' {
            break
        }
        'evrelay;dlq;help;purge' {
            break
        }
        'evrelay;dlq;help;help' {
            break
        }
        'evrelay;status' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'The health section''s window: how far back to read the relay''s metrics (15m, 1h, 7d)')
            [CompletionResult]::new('--period', '--period', [CompletionResultType]::ParameterName, 'Time per datapoint, a whole number of minutes [default: 1m up to a 3h window, 5m up to 15d, 1h beyond]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (default: AWS_REGION, then the profile''s region)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (default: AWS_PROFILE)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--stack-name', '--stack-name', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print results')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Follow a change in progress until the stack settles, then show the status (Ctrl-C stops watching)')
            [CompletionResult]::new('--no-health', '--no-health', [CompletionResultType]::ParameterName, 'Leave out the health section (and its CloudWatch call)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'evrelay;top' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'How far back the charts reach, as `status --since` (15m, 1h, 7d)')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'How often to refresh: 1s or more')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (default: AWS_REGION, then the profile''s region)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (default: AWS_PROFILE)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--stack-name', '--stack-name', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print results')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'evrelay;failover' {
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (default: AWS_REGION, then the profile''s region)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (default: AWS_PROFILE)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--stack-name', '--stack-name', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print results')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Invert the global endpoint''s Route 53 health check, so events sent through the endpoint go to the secondary Region''s bus, and wait until Route 53 reports the check unhealthy')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Restore the health check, so events go to the primary Region''s bus again, and wait until Route 53 reports it healthy')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'evrelay;failover;start' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for Route 53 to report the new status, e.g. 5m, 90s (its checkers read the alarm every 10 to 30 seconds)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (default: AWS_REGION, then the profile''s region)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (default: AWS_PROFILE)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--stack-name', '--stack-name', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print results')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'evrelay;failover;stop' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for Route 53 to report the new status, e.g. 5m, 90s (its checkers read the alarm every 10 to 30 seconds)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (default: AWS_REGION, then the profile''s region)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (default: AWS_PROFILE)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--stack-name', '--stack-name', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print results')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'evrelay;failover;help' {
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Invert the global endpoint''s Route 53 health check, so events sent through the endpoint go to the secondary Region''s bus, and wait until Route 53 reports the check unhealthy')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Restore the health check, so events go to the primary Region''s bus again, and wait until Route 53 reports it healthy')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'evrelay;failover;help;start' {
            break
        }
        'evrelay;failover;help;stop' {
            break
        }
        'evrelay;failover;help;help' {
            break
        }
        'evrelay;replay' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Replay events whose time is at or after this: a duration back from now (2h, 90m, 1d) or an RFC 3339 time (2026-12-04T08:00:00Z)')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Replay events whose time is before this, in the same forms [default: now]')
            [CompletionResult]::new('--cancel', '--cancel', [CompletionResultType]::ParameterName, 'Cancel a replay evrelay started for this stack (its name is in replay''s output)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to watch the replay, e.g. 30m, 2h (it goes on in AWS after that)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (default: AWS_REGION, then the profile''s region)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (default: AWS_PROFILE)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--stack-name', '--stack-name', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print results')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'evrelay;destroy' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the stack to be deleted, e.g. 45m, 1h, 90s (a VPC-attached Lambda''s network interfaces can take 20-45 minutes to be released)')
            [CompletionResult]::new('--role-arn', '--role-arn', [CompletionResultType]::ParameterName, 'The CloudFormation service role to delete the stack with (DeleteStack''s RoleARN), for a stack whose own role is gone or can no longer be assumed. Without it CloudFormation uses the stack''s role')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (default: AWS_REGION, then the profile''s region)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (default: AWS_PROFILE)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--stack-name', '--stack-name', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print results')
            [CompletionResult]::new('--keep-endpoints', '--keep-endpoints', [CompletionResultType]::ParameterName, 'Leave the VPC endpoints evrelay created for this stack, handed to the VPC: re-tagged `evrelay:released-from=<stack>`, so no evrelay stack deletes them later')
            [CompletionResult]::new('--delete-endpoints', '--delete-endpoints', [CompletionResultType]::ParameterName, 'Delete the VPC endpoints evrelay created even when other network interfaces in the VPC may reach Secrets Manager or EventBridge only through them (the plan names them first). Without it such endpoints are kept for the VPC')
            [CompletionResult]::new('--ignore-missing', '--ignore-missing', [CompletionResultType]::ParameterName, 'Exit 0 when there is no such stack and nothing evrelay made for it (for teardown scripts; without it a stack that never existed is an error, exit 1)')
            [CompletionResult]::new('--delete-failed-events', '--delete-failed-events', [CompletionResultType]::ParameterName, 'With --yes: destroy even though the DLQ holds failed events, which are then lost (keep them first with `evrelay dlq drain --out FILE`)')
            [CompletionResult]::new('--delete-buffered-events', '--delete-buffered-events', [CompletionResultType]::ParameterName, 'With --yes: destroy even though the buffer (buffered delivery) holds events the relay has not delivered yet, which are then lost (let the relay deliver them first). Apart from --delete-failed-events: accepting to lose failed events is not accepting to lose a backlog never tried')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'evrelay;delete' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the stack to be deleted, e.g. 45m, 1h, 90s (a VPC-attached Lambda''s network interfaces can take 20-45 minutes to be released)')
            [CompletionResult]::new('--role-arn', '--role-arn', [CompletionResultType]::ParameterName, 'The CloudFormation service role to delete the stack with (DeleteStack''s RoleARN), for a stack whose own role is gone or can no longer be assumed. Without it CloudFormation uses the stack''s role')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (default: AWS_REGION, then the profile''s region)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (default: AWS_PROFILE)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--stack-name', '--stack-name', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print results')
            [CompletionResult]::new('--keep-endpoints', '--keep-endpoints', [CompletionResultType]::ParameterName, 'Leave the VPC endpoints evrelay created for this stack, handed to the VPC: re-tagged `evrelay:released-from=<stack>`, so no evrelay stack deletes them later')
            [CompletionResult]::new('--delete-endpoints', '--delete-endpoints', [CompletionResultType]::ParameterName, 'Delete the VPC endpoints evrelay created even when other network interfaces in the VPC may reach Secrets Manager or EventBridge only through them (the plan names them first). Without it such endpoints are kept for the VPC')
            [CompletionResult]::new('--ignore-missing', '--ignore-missing', [CompletionResultType]::ParameterName, 'Exit 0 when there is no such stack and nothing evrelay made for it (for teardown scripts; without it a stack that never existed is an error, exit 1)')
            [CompletionResult]::new('--delete-failed-events', '--delete-failed-events', [CompletionResultType]::ParameterName, 'With --yes: destroy even though the DLQ holds failed events, which are then lost (keep them first with `evrelay dlq drain --out FILE`)')
            [CompletionResult]::new('--delete-buffered-events', '--delete-buffered-events', [CompletionResultType]::ParameterName, 'With --yes: destroy even though the buffer (buffered delivery) holds events the relay has not delivered yet, which are then lost (let the relay deliver them first). Apart from --delete-failed-events: accepting to lose failed events is not accepting to lose a backlog never tried')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'evrelay;template' {
            [CompletionResult]::new('--param', '--param', [CompletionResultType]::ParameterName, 'Set a parameter''s default in the printed template (repeatable), e.g. TargetUrl=http://… . The secret cannot be set this way')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (default: AWS_REGION, then the profile''s region)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (default: AWS_PROFILE)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--stack-name', '--stack-name', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print results')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'evrelay;policy' {
            [CompletionResult]::new('--role-arn', '--role-arn', [CompletionResultType]::ParameterName, 'The CloudFormation service role deploy and destroy pass (adds iam:PassRole on it) [default: the config file''s role_arn for this stack and region]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (default: AWS_REGION, then the profile''s region)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (default: AWS_PROFILE)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--stack-name', '--stack-name', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print results')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'evrelay;completions' {
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (default: AWS_REGION, then the profile''s region)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files (default: AWS_PROFILE)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables apply as usual')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--stack-name', '--stack-name', [CompletionResultType]::ParameterName, 'The relay stack''s name; every resource evrelay creates is named from it [default: the config file''s `stack`, else event-relay-app]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The evrelay config file that remembers each relay''s deploy settings [default: EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print results')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed without a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show more detail, including the full cause of errors')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data (stdout) and errors: no notes, warnings, progress or live view')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'evrelay;help' {
            [CompletionResult]::new('discover', 'discover', [CompletionResultType]::ParameterValue, 'Find the private subnets, node security group and internal ALB a relay needs')
            [CompletionResult]::new('deploy', 'deploy', [CompletionResultType]::ParameterValue, 'Create or update the relay stack and the VPC endpoints it needs')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Put test events on the relay''s bus, optionally waiting for the endpoint''s response')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Read the relay''s and the bus''s logs, interleaved by time')
            [CompletionResult]::new('dlq', 'dlq', [CompletionResultType]::ParameterValue, 'Inspect and recover events that failed delivery')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the relay stack, its resources, endpoints, queue depths and health (CloudWatch metrics)')
            [CompletionResult]::new('top', 'top', [CompletionResultType]::ParameterValue, 'A live dashboard of the relay: health, queues and the newest log lines (plain lines when piped)')
            [CompletionResult]::new('failover', 'failover', [CompletionResultType]::ParameterValue, 'A relay pair''s failover drill: invert the global endpoint''s health check, then restore it')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Replay a relay pair''s secondary archive to the secondary''s bus, for a time window')
            [CompletionResult]::new('destroy', 'destroy', [CompletionResultType]::ParameterValue, 'Delete the relay stack and the VPC endpoints evrelay created for it')
            [CompletionResult]::new('template', 'template', [CompletionResultType]::ParameterValue, 'Print the relay''s CloudFormation template, relay code inlined')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Print the least-privilege IAM policy for deploy, operate, destroy, or all three')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'evrelay;help;discover' {
            break
        }
        'evrelay;help;deploy' {
            break
        }
        'evrelay;help;send' {
            break
        }
        'evrelay;help;logs' {
            break
        }
        'evrelay;help;dlq' {
            [CompletionResult]::new('peek', 'peek', [CompletionResultType]::ParameterValue, 'List failed events without consuming them')
            [CompletionResult]::new('drain', 'drain', [CompletionResultType]::ParameterValue, 'Append every message to a JSON Lines file, then delete it from the queue')
            [CompletionResult]::new('redrive', 'redrive', [CompletionResultType]::ParameterValue, 'Put each failed event back on the bus; delete only what was re-sent. Buffered delivery: move the events back to the buffer queue (an SQS message move task), ids unchanged')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Delete every message in the queue')
            break
        }
        'evrelay;help;dlq;peek' {
            break
        }
        'evrelay;help;dlq;drain' {
            break
        }
        'evrelay;help;dlq;redrive' {
            break
        }
        'evrelay;help;dlq;purge' {
            break
        }
        'evrelay;help;status' {
            break
        }
        'evrelay;help;top' {
            break
        }
        'evrelay;help;failover' {
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Invert the global endpoint''s Route 53 health check, so events sent through the endpoint go to the secondary Region''s bus, and wait until Route 53 reports the check unhealthy')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Restore the health check, so events go to the primary Region''s bus again, and wait until Route 53 reports it healthy')
            break
        }
        'evrelay;help;failover;start' {
            break
        }
        'evrelay;help;failover;stop' {
            break
        }
        'evrelay;help;replay' {
            break
        }
        'evrelay;help;destroy' {
            break
        }
        'evrelay;help;template' {
            break
        }
        'evrelay;help;policy' {
            break
        }
        'evrelay;help;completions' {
            break
        }
        'evrelay;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}

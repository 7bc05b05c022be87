"""CloudFormation's AWS::Events::Archive as AWS answers for it: its physical id (DescribeStackResources)
and `Ref` are the archive's name. moto 5.2.5 gives the archive no physical id (the stack resource has
none) and `Ref` yields the model's Python repr, so nothing can find a CloudFormation-named archive
from its stack (a relay pair's `<stack>-archive`, whose name CloudFormation chooses)."""

from moto.events.models import Archive

# https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-events-archive.html
# ("Ref: When you pass the logical ID of this resource to the intrinsic Ref function, Ref returns
# the archive name"). moto's stack resources and Ref both read `physical_resource_id`.
Archive.physical_resource_id = property(lambda self: self.name)

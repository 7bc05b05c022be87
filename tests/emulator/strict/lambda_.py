"""Lambda: the account's concurrency, as GetAccountSettings reports it."""

import json
import os

import moto.awslambda.responses as _lambda_responses
import moto.awslambda.urls as _lambda_urls
from moto.awslambda.models import lambda_backends

# --- GetAccountSettings -------------------------------------------------------------------------
# https://docs.aws.amazon.com/lambda/latest/api/API_GetAccountSettings.html (AccountLimit:
# ConcurrentExecutions, UnreservedConcurrentExecutions) and
# https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html ("You can reserve
# up to the Unreserved account concurrency value minus 100"). moto has no GetAccountSettings
# (404). The account's limit is EVRELAY_EMULATOR_LAMBDA_CONCURRENCY (default 1000, AWS's
# default); what is unreserved is the limit less every function's reservation, and moto's own
# MOTO_LAMBDA_CONCURRENCY_QUOTA check makes PutFunctionConcurrency keep the 100.
_LIMIT = int(os.environ.get("EVRELAY_EMULATOR_LAMBDA_CONCURRENCY") or 1000)
os.environ.setdefault("MOTO_LAMBDA_CONCURRENCY_QUOTA", str(_LIMIT))


def _get_account_settings(self):
    backend = lambda_backends[self.current_account][self.region]
    reserved = sum(int(f.reserved_concurrency or 0) for f in backend.list_functions())
    body = {
        "AccountLimit": {
            "TotalCodeSize": 80530636800,
            "CodeSizeUnzipped": 262144000,
            "CodeSizeZipped": 52428800,
            "ConcurrentExecutions": _LIMIT,
            "UnreservedConcurrentExecutions": _LIMIT - reserved,
        },
        "AccountUsage": {"TotalCodeSize": 0, "FunctionCount": len(list(backend.list_functions()))},
    }
    return 200, {}, json.dumps(body)


_lambda_responses.LambdaResponse.get_account_settings = _get_account_settings
_lambda_urls.url_paths[r"{0}/(?P<api_version>[^/]+)/account-settings/?$"] = (
    _lambda_responses.LambdaResponse.dispatch
)

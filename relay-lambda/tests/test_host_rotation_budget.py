"""--host (TARGET_HOST) over HTTP and HTTPS, key rotation on the tutorial app's own rejection,
and the AWS-call budget read from the environment."""

import re
import ssl
import sys
from pathlib import Path

import pytest

from loopback_endpoint import Endpoint, Reply
from relay_harness import API_KEY, SECRET_ID, make_event

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "sandbox"))
from tls_ca import CertificateAuthority  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
HOST = "app.example.internal"
ERROR = re.compile(r"^event (?P<id>\S+): (?P<status>\d{3}|no response): (?P<reason>.+)$")
TUTORIAL_REJECTION = Reply(200, {"success": False, "message": "Invalid API key"})


# --- rotation ----------------------------------------------------------------------------

def test_success_false_with_a_rotated_key_is_retried_once_with_the_new_key(load_relay, aws, endpoint, boto_calls):
    new_key = "k3y-R0tated-0003"
    endpoint.wrong_key_reply = TUTORIAL_REJECTION
    relay = load_relay(secrets=(API_KEY, new_key))
    relay.invoke(make_event(1))

    aws.sm.put_secret_value(SecretId=SECRET_ID, SecretString=new_key)  # rotated mid-run
    endpoint.expected_key = new_key
    _, log = relay.invoke(make_event(2))

    assert log["outcome"] == "delivered" and log["status"] == 200
    assert boto_calls["ops"]["GetSecretValue"] == 2
    assert [r.headers["api-key"] for r in endpoint.requests] == [API_KEY, API_KEY, new_key]


def test_success_false_with_the_same_key_fails_without_a_second_post(load_relay, endpoint, boto_calls):
    endpoint.wrong_key_reply = TUTORIAL_REJECTION
    endpoint.expected_key = "the-app-wants-this"
    msg, log = load_relay().fail(make_event(3))
    m = ERROR.match(msg)
    assert m and m["status"] == "200" and "success false" in m["reason"], msg
    assert boto_calls["ops"]["GetSecretValue"] == 2 and len(endpoint.requests) == 1


# --- the Host header ---------------------------------------------------------------------

def test_target_host_is_sent_as_host_over_http(load_relay, endpoint):
    relay = load_relay(TARGET_HOST=HOST)
    relay.invoke(make_event(4))
    assert endpoint.requests[0].headers["host"] == HOST
    # No TLS settings on a plain HTTP pool (urllib3 1.26 would pass them to the connection).
    pool, _ = relay.module._pools[endpoint.url]
    assert "server_hostname" not in pool.conn_kw and "assert_hostname" not in pool.conn_kw


def test_without_target_host_the_urls_own_host_is_sent(load_relay, endpoint):
    load_relay(TARGET_HOST="").invoke(make_event(5))
    assert endpoint.requests[0].headers["host"] == f"127.0.0.1:{endpoint.port}"


# --- HTTPS ---------------------------------------------------------------------------------

@pytest.fixture
def tls_endpoint(tmp_path, monkeypatch):
    """An HTTPS endpoint whose certificate names only HOST (like an ALB listener's), issued
    by a CA the client trusts through SSL_CERT_FILE; records the SNI each client sent."""
    ca = CertificateAuthority.create(str(tmp_path / "ca"))
    ctx = ca.server_context(HOST)
    sni: list = []
    ctx.sni_callback = lambda sock, name, _ctx: sni.append(name)
    monkeypatch.setenv("SSL_CERT_FILE", ca.bundle)
    with Endpoint(expected_key=API_KEY, tls=ctx) as ep:
        ep.sni = sni
        ep.ca = ca
        yield ep


def test_https_verifies_the_target_host_and_sends_it_as_sni(load_relay, tls_endpoint):
    relay = load_relay(TARGET_URL=tls_endpoint.url, TARGET_HOST=HOST)
    _, log = relay.invoke(make_event(6))
    assert log["outcome"] == "delivered"
    pool, _ = relay.module._pools[tls_endpoint.url]
    assert pool.assert_hostname == HOST and pool.conn_kw["server_hostname"] == HOST
    assert tls_endpoint.sni == [HOST]
    assert tls_endpoint.requests[0].headers["host"] == HOST


def test_https_to_the_address_alone_fails_on_the_certificate(load_relay, tls_endpoint):
    msg, log = load_relay(TARGET_URL=tls_endpoint.url, TARGET_HOST="").fail(make_event(7))
    m = ERROR.match(msg)
    assert m and m["status"] == "no response", msg
    assert "SSLError" in m["reason"] and "127.0.0.1" in m["reason"], msg
    assert tls_endpoint.requests == []


def test_https_still_verifies_the_chain_with_a_target_host(load_relay, tls_endpoint, monkeypatch):
    # A CA the client does not trust: --host changes the name checked, never whether it is.
    other = CertificateAuthority.create(str(Path(tls_endpoint.ca.directory).parent / "other"))
    monkeypatch.setenv("SSL_CERT_FILE", other.bundle)
    msg, _ = load_relay(TARGET_URL=tls_endpoint.url, TARGET_HOST=HOST).fail(make_event(8))
    assert "SSLError" in msg and "certificate" in msg, msg
    assert tls_endpoint.requests == []


def test_https_redirects_are_still_refused(load_relay, tls_endpoint):
    tls_endpoint.default = Reply(301, "", headers={"location": "https://elsewhere.example/"})
    msg, _ = load_relay(TARGET_URL=tls_endpoint.url, TARGET_HOST=HOST).fail(make_event(9))
    assert ERROR.match(msg)["status"] == "301"
    assert len(tls_endpoint.requests) == 1


# --- the AWS-call budget --------------------------------------------------------------------

def _template_default(name: str) -> str:
    text = (ROOT / "templates" / "relay.yaml").read_text()
    m = re.search(rf"^  {name}:\n(?:    .*\n)*?    Default: (\S+)$", text, re.M)
    assert m, name
    return m.group(1).strip('"')


def _config(relay, seconds=600):
    config = relay.module._aws_config(seconds)
    return config.connect_timeout, config.read_timeout, config.retries


def test_aws_timeouts_and_attempts_come_from_the_environment(load_relay):
    relay = load_relay(AWS_CONNECT_TIMEOUT_SECONDS="1.5", AWS_READ_TIMEOUT_SECONDS="4", AWS_MAX_ATTEMPTS="3")
    assert _config(relay) == (1.5, 4.0, {"mode": "standard", "total_max_attempts": 3})


def test_relay_defaults_are_the_templates(load_relay):
    relay = load_relay(AWS_CONNECT_TIMEOUT_SECONDS=None, AWS_READ_TIMEOUT_SECONDS=None, AWS_MAX_ATTEMPTS=None)
    connect, read, retries = _config(relay)
    assert connect == float(_template_default("AwsConnectTimeoutSeconds"))
    assert read == float(_template_default("AwsReadTimeoutSeconds"))
    assert retries["total_max_attempts"] == int(_template_default("AwsMaxAttempts"))
    margin = load_relay(DEADLINE_MARGIN_SECONDS=None).module.DEADLINE_MARGIN
    assert f'DEADLINE_MARGIN_SECONDS: "{margin:g}"' in (ROOT / "templates" / "relay.yaml").read_text()


def test_aws_calls_shrink_to_the_time_left(load_relay):
    relay = load_relay(AWS_CONNECT_TIMEOUT_SECONDS="2", AWS_READ_TIMEOUT_SECONDS="3", AWS_MAX_ATTEMPTS="2")
    # Nominal: 2 × (2 + 3) + (1 + 5) = 16 s.
    assert _config(relay, 16)[2]["total_max_attempts"] == 2
    # Less than that: one attempt; then the timeouts themselves shrink.
    assert _config(relay, 15.9) == (2, 3, {"mode": "standard", "total_max_attempts": 1})
    assert _config(relay, 3) == (1.5, 1.5, {"mode": "standard", "total_max_attempts": 1})


# --- a private CA (CA_BUNDLE) --------------------------------------------------------------

def test_a_private_ca_in_ca_bundle_is_trusted_besides_the_system_store(load_relay, tls_endpoint, monkeypatch, tmp_path):
    # The system store (SSL_CERT_FILE) holds another CA only: the endpoint's CA comes from
    # CA_BUNDLE, as on Lambda, where the function's store has public CAs only.
    other = CertificateAuthority.create(str(tmp_path / "system"))
    monkeypatch.setenv("SSL_CERT_FILE", other.bundle)
    pem = Path(tls_endpoint.ca.bundle).read_text()

    msg, _ = load_relay(TARGET_URL=tls_endpoint.url, TARGET_HOST=HOST).fail(make_event(20))
    assert "SSLError" in msg and "certificate" in msg, msg

    _, log = load_relay(TARGET_URL=tls_endpoint.url, TARGET_HOST=HOST, CA_BUNDLE=pem).invoke(make_event(21))
    assert log["outcome"] == "delivered" and tls_endpoint.sni[-1] == HOST


def test_ca_bundle_still_verifies_the_host_name(load_relay, tls_endpoint, monkeypatch, tmp_path):
    monkeypatch.setenv("SSL_CERT_FILE", CertificateAuthority.create(str(tmp_path / "system")).bundle)
    pem = Path(tls_endpoint.ca.bundle).read_text()
    msg, _ = load_relay(TARGET_URL=tls_endpoint.url, TARGET_HOST="other.example.internal", CA_BUNDLE=pem).fail(make_event(22))
    assert "SSLError" in msg or "CertificateError" in msg, msg
    assert tls_endpoint.requests == []


def test_ca_bundle_keeps_the_system_store(load_relay, tls_endpoint, tmp_path):
    # SSL_CERT_FILE (the "system store" here) trusts the endpoint's CA; CA_BUNDLE adds another.
    other = CertificateAuthority.create(str(tmp_path / "extra"))
    relay = load_relay(TARGET_URL=tls_endpoint.url, TARGET_HOST=HOST, CA_BUNDLE=Path(other.bundle).read_text())
    _, log = relay.invoke(make_event(23))
    assert log["outcome"] == "delivered"

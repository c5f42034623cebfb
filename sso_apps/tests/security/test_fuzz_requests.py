"""Fuzz the AuthnRequest and LogoutRequest paths over both bindings with hypothesis.

Requests go through Django's test client to real configured apps (one accepting unsigned
requests, one requiring the SP's signatures). The only acceptable outcomes are a 4xx page
or what a still-valid request gets (a 302 to sign-in or to the SP's logout URL, a 200 POST
form to a registered URL); an exception or a 5xx fails the test.

CI runs TESSERA_FUZZ_EXAMPLES examples in total (default 2,000), shared among the tests by
WEIGHTS. The long run (>= 100,000 examples):

    TESSERA_FUZZ_EXAMPLES=100000 DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/tessera \\
      DJANGO_SETTINGS_MODULE=portal.settings.test \\
      .venv/bin/python -m pytest sso_apps/tests/security/test_fuzz_requests.py \\
      -q -p no:cacheprovider -s

With -s each test prints how many examples it ran and their outcomes.
"""

import base64
import collections
import os
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sso_apps.tests.idp.sp_harness import SP_ACS_URL, SP_SLO_URL, posted_form
from sso_apps.tests.security import fuzzing
from sso_apps.tests.security.attacks import (
    authn_request,
    logout_request,
    redirect_query,
    sign_enveloped,
    signed_redirect_query,
)
from sso_apps.tests.security.endpoints import assert_nothing_sent, endpoint_path

TOTAL_EXAMPLES = int(os.environ.get("TESSERA_FUZZ_EXAMPLES", "2000"))
WEIGHTS = {
    "mutated_xml": 0.35,
    "mutated_signed_post": 0.15,
    "mutated_signed_redirect": 0.1,
    "random_query": 0.15,
    "random_post": 0.1,
    "random_base64": 0.15,
}
PROGRESS_EVERY = 5_000  # printed with -s, so a long run shows how far it got
ACCEPTABLE_STATUSES = {200, 302, 400, 403, 404, 405, 409, 413}


def fuzz_settings(name: str):
    return settings(
        max_examples=max(1, round(TOTAL_EXAMPLES * WEIGHTS[name])),
        deadline=None,
        database=None,
        # One app per test, built by function-scoped fixtures, is deliberate: examples share
        # it the way requests share a running server.
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


class Judge:
    """Send fuzzed requests as a signed-in browser and check every outcome is acceptable."""

    def __init__(self, application, member):
        self.application = application
        self.member = member
        self.browser = Client()
        self.outcomes = collections.Counter()
        self.sent = 0

    def _signed_in(self) -> Client:
        if "_auth_user_id" not in self.browser.session:
            self.browser.force_login(self.member)  # a successful LogoutRequest ended it
        return self.browser

    def get(self, endpoint: str, query: str):
        # QUERY_STRING travels exactly as given, as a raw HTTP request line would carry it;
        # like a WSGI server, pass its UTF-8 bytes as latin-1 text (PEP 3333).
        path = endpoint_path(self.application, endpoint)
        raw = query.encode("utf-8", "surrogatepass").decode("latin-1")
        return self.judge(endpoint, self._signed_in().get(path, QUERY_STRING=raw))

    def post(self, endpoint: str, data: dict):
        path = endpoint_path(self.application, endpoint)
        return self.judge(endpoint, self._signed_in().post(path, data))

    def send(self, endpoint: str, binding: str, xml: bytes, relay_state: str | None = None):
        if binding == "post":
            data = {"SAMLRequest": base64.b64encode(xml).decode()}
            if relay_state is not None:
                data["RelayState"] = relay_state
            return self.post(endpoint, data)
        return self.get(endpoint, redirect_query(xml, relay_state=relay_state))

    def judge(self, endpoint: str, response):
        # The test client re-raises any exception a view lets escape, so reaching here
        # already means no exception; what is left is the status and where it leads.
        status = response.status_code
        assert status in ACCEPTABLE_STATUSES, (status, response.content[:300])
        self.outcomes[(endpoint, status)] += 1
        self.sent += 1
        if self.sent % PROGRESS_EVERY == 0:
            print(f"[fuzz] ... {self.sent} requests, outcomes so far {self.summary()}", flush=True)
        if status == 302:
            self._judge_redirect(endpoint, response["Location"])
        elif status == 200:
            self._judge_form(response, {SP_ACS_URL, SP_SLO_URL})
        else:
            assert_nothing_sent(response)
        return response

    def _judge_redirect(self, endpoint: str, location: str):
        if endpoint == "sso":
            continue_url = reverse("saml:continue", args=[self.application.idp_suffix])
            assert location == continue_url, location
            page = self.browser.get(continue_url)
            assert page.status_code in {200, 302, 400, 403, 409}, page.status_code
            self.outcomes[("continue", page.status_code)] += 1
            if page.status_code == 200:
                self._judge_form(page, {SP_ACS_URL})
        else:
            assert location.startswith((SP_SLO_URL + "?", reverse("console:login"))), location

    @staticmethod
    def _judge_form(page, allowed_actions: set[str]):
        text = page.content.decode(errors="replace")
        if 'id="saml-post-form"' in text:
            action, _ = posted_form(text)
            assert action in allowed_actions, action

    def summary(self) -> dict:
        return {
            f"{endpoint} {status}": n for (endpoint, status), n in sorted(self.outcomes.items())
        }

    def report(self, name: str):
        print(f"\n[fuzz] {name}: {self.sent} requests, outcomes {self.summary()}", flush=True)


@pytest.fixture
def unsigned_judge(saml_app, member):
    return Judge(saml_app, member)


@pytest.fixture
def signed_judge(signed_app, signed_member):
    return Judge(signed_app, signed_member)


def _valid_request(application, kind: str, request_id: str) -> bytes:
    if kind == "AuthnRequest":
        return authn_request(application, request_id=request_id)
    return logout_request(application, name_id="ada@example.com", request_id=request_id)


kinds = st.sampled_from(["AuthnRequest", "LogoutRequest"])
endpoints = st.sampled_from(["sso", "slo"])
bindings = st.sampled_from(["post", "redirect"])
request_ids = st.uuids().map(lambda value: f"_{value.hex}")
relay_states = st.none() | st.text(max_size=100)


@pytest.mark.django_db
def test_fuzz_mutated_xml_of_valid_requests(unsigned_judge):
    @fuzz_settings("mutated_xml")
    @given(
        kind=kinds,
        endpoint=endpoints,
        binding=bindings,
        request_id=request_ids,
        tree=st.lists(fuzzing.tree_mutation(), max_size=4),
        raw=st.lists(fuzzing.byte_mutation(), max_size=2),
        relay_state=relay_states,
    )
    def run(kind, endpoint, binding, request_id, tree, raw, relay_state):
        xml = _valid_request(unsigned_judge.application, kind, request_id)
        mutated = fuzzing.mutate_xml(xml, tree, raw)
        unsigned_judge.send(endpoint, binding, mutated, relay_state)

    run()
    unsigned_judge.report("mutated XML")


@pytest.mark.django_db
def test_fuzz_mutated_signed_post_requests(signed_judge, sp_keys):
    @fuzz_settings("mutated_signed_post")
    @given(
        kind=kinds,
        request_id=request_ids,
        tree=st.lists(fuzzing.tree_mutation(), max_size=3),
        raw=st.lists(fuzzing.byte_mutation(), max_size=2),
    )
    def run(kind, request_id, tree, raw):
        signed = sign_enveloped(_valid_request(signed_judge.application, kind, request_id), sp_keys)
        endpoint = "sso" if kind == "AuthnRequest" else "slo"
        signed_judge.send(endpoint, "post", fuzzing.mutate_xml(signed, tree, raw))

    run()
    signed_judge.report("mutated signed POST")


@pytest.mark.django_db
def test_fuzz_mutated_signed_redirect_requests(signed_judge, sp_keys):
    @fuzz_settings("mutated_signed_redirect")
    @given(
        kind=kinds,
        request_id=request_ids,
        mutations=fuzzing.query_mutations,
        relay_state=relay_states,
    )
    def run(kind, request_id, mutations, relay_state):
        xml = _valid_request(signed_judge.application, kind, request_id)
        query = signed_redirect_query(xml, sp_keys, relay_state=relay_state)
        endpoint = "sso" if kind == "AuthnRequest" else "slo"
        signed_judge.get(endpoint, fuzzing.mutate_query(query, mutations))

    run()
    signed_judge.report("mutated signed Redirect")


@pytest.mark.django_db
def test_fuzz_random_query_strings(unsigned_judge):
    @fuzz_settings("random_query")
    @given(endpoint=endpoints, query=fuzzing.query_string())
    def run(endpoint, query):
        unsigned_judge.get(endpoint, query)

    run()
    unsigned_judge.report("random query strings")


@pytest.mark.django_db
def test_fuzz_random_post_forms(unsigned_judge):
    @fuzz_settings("random_post")
    @given(
        endpoint=endpoints,
        form=st.dictionaries(
            st.sampled_from(fuzzing.PARAMETER_NAMES) | st.text(max_size=12),
            fuzzing.parameter_value,
            max_size=5,
        ),
    )
    def run(endpoint, form):
        unsigned_judge.post(endpoint, form)

    run()
    unsigned_judge.report("random POST forms")


@pytest.mark.django_db
def test_fuzz_random_base64(unsigned_judge):
    @fuzz_settings("random_base64")
    @given(
        endpoint=endpoints,
        binding=bindings,
        parameter=st.sampled_from(["SAMLRequest", "SAMLResponse"]),
        payload=st.binary(max_size=2_000) | st.text(max_size=500).map(str.encode),
    )
    def run(endpoint, binding, parameter, payload):
        if binding == "post":
            unsigned_judge.post(endpoint, {parameter: base64.b64encode(payload).decode()})
        else:
            encoded = quote(fuzzing.deflate_b64(payload), safe="")
            unsigned_judge.get(endpoint, f"{parameter}={encoded}")

    run()
    unsigned_judge.report("random base64")


def test_the_weights_share_out_every_example():
    assert abs(sum(WEIGHTS.values()) - 1) < 1e-9

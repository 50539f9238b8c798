"""A bounded load mix against the app's instances (run by tests/load/run_load.py).

Hosted assertion GETs (what verifiers and backpacks do most), verify POSTs, catalog pages, a
teacher's badge list and a reviewer's queue (API, bearer tokens), and /healthz as the
baseline, spread over every instance named in LOAD_TARGETS.
"""

import os
import random

from locust import HttpUser, between, task

TARGETS = os.environ["LOAD_TARGETS"].split(",")
ASSERTION = os.environ["LOAD_ASSERTION"]  # path of a hosted assertion
JWS = os.environ["LOAD_JWS"]
TEACHER = {"Authorization": f"Bearer {os.environ['LOAD_TEACHER_TOKEN']}"}
REVIEWER = {"Authorization": f"Bearer {os.environ['LOAD_REVIEWER_TOKEN']}"}


class Visitor(HttpUser):
    wait_time = between(0, 0.05)

    def _url(self, path):
        return random.choice(TARGETS) + path

    @task(5)
    def hosted_assertion(self):
        self.client.get(
            self._url(ASSERTION), headers={"Accept": "application/ld+json"}, name="GET assertion"
        )

    @task(2)
    def verify(self):
        self.client.post(self._url("/api/v1/verify"), json={"jws": JWS}, name="POST verify")

    @task(3)
    def catalog(self):
        self.client.get(self._url("/catalog"), name="GET catalog")

    @task(2)
    def badge_list(self):
        self.client.get(self._url("/api/v1/me/badges"), headers=TEACHER, name="GET badge list")

    @task(2)
    def reviewer_queue(self):
        self.client.get(self._url("/api/v1/reviews"), headers=REVIEWER, name="GET reviewer queue")

    @task(2)
    def healthz(self):
        self.client.get(self._url("/healthz"), name="GET /healthz")

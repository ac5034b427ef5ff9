"""The jackfield plugin contract (jackfield-testing's suite), run against the webhook plugin."""

from jackfield_testing import ExpectedRequest, PluginContract


class TestContract(PluginContract):
    plugin_name = "webhook"
    plugin_module = "jackfield_webhook.plugin"

    def valid_data(self, server_url):
        return {
            "name": "Notify CRM",
            "enabled": True,
            "endpoint_url": f"{server_url}/hooks/call-finished?token=wh_contract_secret_1",
            "payload_template": {"run": "{{ run.id }}", "tags": "{{ annotations.qa.tags }}"},
        }

    def incomplete_data(self):
        return {"name": "Notify CRM", "enabled": True}

    def expected_requests(self):
        return [ExpectedRequest("POST", "/hooks/call-finished")]

    def check_requests(self, requests):
        (request,) = requests
        body = request.json()
        assert body["run"] == "run-1"
        assert body["call_disposition"] == "completed"
        assert request.headers["idempotency-key"]

"""The jackfield plugin contract (jackfield-testing's suite), run against the Paygent plugin."""

from jackfield_testing import ExpectedRequest, PluginContract

STEPS = ("session", "stt", "llm", "tts", "indicator")


class TestContract(PluginContract):
    plugin_name = "paygent"
    plugin_module = "jackfield_paygent.plugin"

    def valid_data(self, server_url):
        return {
            "name": "Paygent",
            "enabled": True,
            "api_key": "pg_contract_secret_1",
            "agent_id": "agent-7",
            "customer_id": "cust-9",
            "indicator": "per-minute-call",
            "base_url": server_url,
        }

    def incomplete_data(self):
        return {"name": "Paygent", "enabled": True, "agent_id": "agent-7"}

    def expected_requests(self):
        return [ExpectedRequest("POST", f"/api/v1/voice/{step}") for step in STEPS]

    def check_requests(self, requests):
        assert [r.path.rsplit("/", 1)[1] for r in requests] == list(STEPS)
        assert all(r.headers["x-api-key"] == "pg_contract_secret_1" for r in requests)

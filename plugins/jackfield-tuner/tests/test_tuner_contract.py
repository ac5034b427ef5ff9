"""The jackfield plugin contract (jackfield-testing's suite), run against the Tuner plugin."""

from jackfield_testing import ExpectedRequest, PluginContract


class TestContract(PluginContract):
    plugin_name = "tuner"
    plugin_module = "jackfield_tuner.plugin"

    def valid_data(self, server_url):
        return {
            "name": "Tuner",
            "enabled": True,
            "agent_id": "agent-7",
            "workspace_id": 42,
            "api_key": "tk_contract_secret_1",
            "base_url": server_url,
        }

    def incomplete_data(self):
        return {"name": "Tuner", "enabled": True, "agent_id": "agent-7"}

    def expected_requests(self):
        return [ExpectedRequest("POST", "/api/v1/public/call")]

    def check_requests(self, requests):
        (request,) = requests
        assert request.query == {"workspace_id": "42", "agent_remote_identifier": "agent-7"}
        assert request.headers["authorization"] == "Bearer tk_contract_secret_1"
        assert request.json()["disconnection_reason"] == "completed"

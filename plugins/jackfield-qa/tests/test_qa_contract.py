"""The jackfield plugin contract (jackfield-testing's suite), run against the QA plugin."""

import json

from qa_support import chat_completion

from jackfield_testing import ExpectedRequest, PluginContract, Reply


class TestContract(PluginContract):
    plugin_name = "qa"
    plugin_module = "jackfield_qa.plugin"

    def valid_data(self, server_url):
        return {
            "name": "Call review",
            "enabled": True,
            "api_key": "sk-contract-secret-1",
            "base_url": server_url + "/v1",
            "model": "gpt-4o-mini",
            "min_duration_s": 5,
        }

    def incomplete_data(self):
        return {"name": "Call review", "enabled": True}

    def expected_requests(self):
        answer = {"summary": "The caller checked an order.", "nodes": {}}
        return [
            ExpectedRequest(
                "POST", "/v1/chat/completions", Reply(200, chat_completion(json.dumps(answer)))
            )
        ]

    def check_requests(self, requests):
        (request,) = requests
        assert request.headers["authorization"] == "Bearer sk-contract-secret-1"
        body = request.json()
        assert body["model"] == "gpt-4o-mini"
        assert body["response_format"] == {"type": "json_object"}
        assert "I'd like to check my order status." in body["messages"][1]["content"]

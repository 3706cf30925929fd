import BifrostStore
import BifrostTestSupport
import Foundation
import Testing

/// The generated document works with generators other than Swift's: openapi-python-client (PyPI, installed by
/// scripts/install-dependencies) generates a client without dropping an operation, and that client runs a
/// workflow with a list parameter against the real server.
@Suite struct PythonClientTests {
    @Test func aGeneratedPythonClientRunsAWorkflowWithAListParameter() async throws {
        try await TestPostgres.withDatabase { url in
            let folder = FileManager.default.temporaryDirectory.appending(path: "bifrost-python-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }

            // Written to a file, not read from the output pipe, which a server another test starts can hold open.
            let document = try ServerProcess(
                arguments: [
                    "-c", #"exec "$0" openapi --with-workflows > openapi.json"#, try ServerProcess.binaryPath(),
                ],
                workingDirectory: folder, executable: "/bin/sh")
            #expect(await document.waitForExit(within: .seconds(60)) == 0)
            let generate = try ServerProcess(
                arguments: [
                    "openapi-python-client", "generate", "--path", "openapi.json", "--output-path", "bifrost_client",
                    "--meta", "none",
                ],
                workingDirectory: folder, executable: "/usr/bin/env"
            )
            #expect(await generate.waitForExit(within: .seconds(120)) == 0, "\(generate.output)")
            #expect(!generate.output.contains("WARNING"), "the generator left something out:\n\(generate.output)")

            let (server, port) = try await ServerProcess.serving(
                arguments: ["serve"], workingDirectory: folder,
                environment: [
                    "BIFROST_DATABASE_URL": url.urlStringWithPassword,
                    "BIFROST_BOOTSTRAP_ADMIN_EMAIL": "ops@msp.example",
                    "BIFROST_BOOTSTRAP_ADMIN_PASSWORD": "python password 1",
                ]
            )
            defer { server.signal(SIGTERM) }

            try Data(Self.script.utf8).write(to: folder.appending(path: "run_workflow.py"))
            let python = try ServerProcess(
                arguments: ["python3", "run_workflow.py", "http://127.0.0.1:\(port)"], workingDirectory: folder,
                executable: "/usr/bin/env"
            )
            #expect(await python.waitForExit(within: .seconds(120)) == 0, "\(python.output)")
            #expect(python.output.contains("Success processed=2 failed=0"), "\(python.output)")
        }
    }

    /// Logs in, creates an organisation and runs `process_items` in it, all through the generated client.
    private static let script = """
        import sys
        from bifrost_client import AuthenticatedClient, Client
        from bifrost_client.api.auth import login
        from bifrost_client.api.organizations import create_organization
        from bifrost_client.api.workflow_runs import execute_process_items
        from bifrost_client.models import (
            ExecuteProcessItemsBody, LoginRequest, OrganizationCreate, WorkflowProcessItemsInput)

        base = sys.argv[1]
        tokens = login.sync(
            client=Client(base_url=base), body=LoginRequest(email="ops@msp.example", password="python password 1"))
        admin = AuthenticatedClient(base_url=base, token=tokens.access_token)
        organization = create_organization.sync(client=admin, body=OrganizationCreate(name="Python Org"))
        scoped = admin.with_headers({"X-Organization-Id": str(organization.id)})
        run = execute_process_items.sync(
            client=scoped,
            body=ExecuteProcessItemsBody(input_=WorkflowProcessItemsInput(items=[{"id": 1}, {"id": 2}])))
        print(f"{run.status.value} processed={run.result['processed']} failed={run.result['failed']}")
        """
}

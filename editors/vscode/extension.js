// The VS Code side of alignrules: highlighting comes from the TextMate grammar in
// syntaxes/; everything else (diagnostics, hover, navigation, completion, formatting, quick
// fixes) from the language server, `alignrules lsp`, which this starts over stdio.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("alignrules");
  const [command, ...args] = config.get("server.command", ["alignrules", "lsp"]);
  const serverOptions = { command, args, transport: TransportKind.stdio };
  const clientOptions = {
    documentSelector: [{ scheme: "file", language: "alignrules" }],
    initializationOptions: { rulesets: config.get("rulesets", []) },
    synchronize: {
      // Imported files change diagnostics of the files that import them.
      fileEvents: vscode.workspace.createFileSystemWatcher("**/*.rules"),
    },
  };
  client = new LanguageClient("alignrules", "alignrules language server", serverOptions, clientOptions);
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };

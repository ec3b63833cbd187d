import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installCommand, parseRoles, powerShellWord, registerCommand, shellWord } from './agentCommand';

test('the register command: every environment and role its own flag, values quoted only when they need it', () => {
  assert.equal(
    registerCommand({ serverUrl: 'https://shoal.example:8080', token: 'shoal-reg-abc', name: 'web 1', environments: ['Dev', "Bob's env"], roles: ['web', 'api'] }),
    `/opt/shoal-agent/shoal-agent register --server https://shoal.example:8080 --token shoal-reg-abc --name 'web 1' --environment Dev --environment 'Bob'"'"'s env' --role web --role api`,
  );
  assert.match(registerCommand({ serverUrl: 'http://h', token: 't', name: '  ', environments: ['Dev'], roles: ['web'] }), /--name "\$\(hostname\)" /);
  assert.equal(shellWord('$(rm -rf /)'), `'$(rm -rf /)'`);
});

test('a listening agent: --mode listening, and --listen-port only when it is not the default', () => {
  const base = { serverUrl: 'http://h', token: 't', name: 'web', environments: ['Dev'], roles: ['web'] };
  assert.equal(registerCommand({ ...base, listenPort: 10933 }), '/opt/shoal-agent/shoal-agent register --server http://h --token t --name web --environment Dev --role web --mode listening');
  assert.equal(registerCommand({ ...base, listenPort: 11000 }), '/opt/shoal-agent/shoal-agent register --server http://h --token t --name web --environment Dev --role web --mode listening --listen-port 11000');
  assert.doesNotMatch(registerCommand(base), /--mode/);
});

test('the install command fetches the agent from the node the portal talks to and unpacks it where the register command runs it', () => {
  assert.equal(installCommand('https://shoal.example:8080/'), 'curl -fsSL https://shoal.example:8080/api/agent/download | sudo tar -xz -C /opt');
  assert.equal(installCommand("http://h/it's"), `curl -fsSL 'http://h/it'"'"'s/api/agent/download' | sudo tar -xz -C /opt`);
  assert.match(registerCommand({ serverUrl: 'http://h', token: 't', name: 'web', environments: ['Dev'], roles: ['web'] }), /^\/opt\/shoal-agent\/shoal-agent register /);
});

test('a Windows agent: PowerShell commands, downloading that platform, values quoted as PowerShell reads them', () => {
  assert.equal(
    installCommand('https://shoal.example:8080/', 'win32-x64'),
    `Invoke-WebRequest -UseBasicParsing 'https://shoal.example:8080/api/agent/download?platform=win32-x64' -OutFile "$env:TEMP\\shoal-agent.tar.gz"; if ($?) { tar -xzf "$env:TEMP\\shoal-agent.tar.gz" -C "$env:ProgramFiles" }`,
  );
  assert.equal(
    registerCommand({ serverUrl: 'https://shoal.example:8080', token: 'shoal-reg-abc', name: '', environments: ['Dev', "Bob's env"], roles: ['web'], platform: 'win32-x64' }),
    `& "$env:ProgramFiles\\shoal-agent\\runtime\\node.exe" "$env:ProgramFiles\\shoal-agent\\lib\\shoal-agent.mjs" register --server https://shoal.example:8080 --token shoal-reg-abc --name $env:COMPUTERNAME --environment Dev --environment 'Bob''s env' --role web`,
  );
  // Whatever PowerShell would read as code stays a literal string.
  for (const v of ['$env:PATH', '$(calc)', '@args', 'a,b', '-Verbose', 'a;b', '`n', 'x y', 'it’s', 'Dev&calc', 'a|b', '%PATH%', 'a^b']) assert.match(powerShellWord(v), /^'.*'$/, v);
  // node.exe is run itself, never the .cmd launcher whose cmd.exe would read & | % in a value again.
  assert.doesNotMatch(registerCommand({ serverUrl: 'http://h', token: 't', name: 'w', environments: ['Dev&calc'], roles: ['web'], platform: 'win32-x64' }), /\.cmd/);
  assert.throws(() => registerCommand({ serverUrl: 'http://h', token: 't', name: 'w', environments: ['Dev" --role "admin'], roles: ['web'], platform: 'win32-x64' }), /double quote/);
  assert.equal(powerShellWord('it’s'), "'it’’s'");
  assert.equal(installCommand('http://h', 'linux-arm64'), "curl -fsSL 'http://h/api/agent/download?platform=linux-arm64' | sudo tar -xz -C /opt");
});

test('roles typed with commas or spaces, each once', () => {
  assert.deepEqual(parseRoles(' web, api  web,,db '), ['web', 'api', 'db']);
  assert.deepEqual(parseRoles('  '), []);
});

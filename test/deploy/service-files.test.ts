import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { root, run } from './helpers';

describe('deploy/systemd/mcp-gateway.service', () => {
  it('passes systemd-analyze verify without a warning', async () => {
    // A root of its own: the unit, stub binaries at the paths it runs, and the system's standard units.
    const dir = mkdtempSync(join(tmpdir(), 'mcpgw-systemd-'));
    for (const sub of ['etc/systemd/system', 'usr/local/bin', 'bin', 'usr/lib/systemd'])
      mkdirSync(join(dir, sub), { recursive: true });
    cpSync(
      join(root, 'deploy/systemd/mcp-gateway.service'),
      join(dir, 'etc/systemd/system/mcp-gateway.service'),
    );
    for (const bin of ['usr/local/bin/mcp-gateway', 'bin/kill']) {
      writeFileSync(join(dir, bin), '#!/bin/sh\nexit 0\n');
      chmodSync(join(dir, bin), 0o755);
    }
    cpSync('/usr/lib/systemd/system', join(dir, 'usr/lib/systemd/system'), { recursive: true });
    const verified = await run('systemd-analyze', [
      'verify',
      `--root=${dir}`,
      '--man=no',
      'mcp-gateway.service',
    ]);
    expect(verified).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});

describe('deploy/launchd/com.mcp.gateway.plist', () => {
  it('is a well-formed property list with the keys launchd needs', async () => {
    const read = await run('python3', [
      '-c',
      'import json, plistlib, sys; print(json.dumps(plistlib.load(open(sys.argv[1], "rb"))))',
      join(root, 'deploy/launchd/com.mcp.gateway.plist'),
    ]);
    expect(read.code).toBe(0);
    expect(JSON.parse(read.stdout)).toEqual({
      Label: 'com.mcp.gateway',
      ProgramArguments: ['/usr/local/bin/mcp-gateway', '--config', '/usr/local/etc/mcp-gateway/servers.yaml'],
      EnvironmentVariables: { PATH: '/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin' },
      RunAtLoad: true,
      KeepAlive: true,
      ThrottleInterval: 10,
      StandardOutPath: '/usr/local/var/log/mcp-gateway.log',
      StandardErrorPath: '/usr/local/var/log/mcp-gateway.log',
    });
  });
});

describe('deploy/kubernetes', () => {
  // Manifests are read as the untyped YAML they are; the checks below say what shape they expect.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Manifest = Record<string, any>;
  const manifests = Object.fromEntries(
    ['configmap', 'secret', 'deployment', 'service'].map((name) => [
      name,
      parse(readFileSync(join(root, `deploy/kubernetes/${name}.yaml`), 'utf8')) as Manifest,
    ]),
  );

  it('runs three replicas that probe /health, name themselves after their pod and read the config and secret', () => {
    const { spec } = manifests.deployment!;
    expect(spec.replicas).toBe(3);
    const [container] = spec.template.spec.containers;
    expect(container.readinessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(container.env).toContainEqual({
      name: 'MCP_GATEWAY_REPLICA',
      valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
    });
    expect(container.envFrom).toEqual([{ secretRef: { name: manifests.secret!.metadata.name } }]);
    expect(spec.template.spec.volumes).toContainEqual({
      name: 'config',
      configMap: { name: manifests.configmap!.metadata.name },
    });
    expect(manifests.service!.spec.selector).toEqual(spec.selector.matchLabels);
  });

  it("holds a configuration the gateway accepts, with the secret's values", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpgw-k8s-'));
    const file = join(dir, 'servers.yaml');
    writeFileSync(file, manifests.configmap!.data['servers.yaml']);
    const checked = await run(
      process.execPath,
      ['--import', 'tsx', 'apps/gateway/src/bin.ts', 'check', '--config', file],
      { cwd: root, env: { ...process.env, ...manifests.secret!.stringData } },
    );
    expect(checked.stderr).toBe('');
    expect(checked.stdout).toContain('valid, 1 backend(s): docs');
    expect(checked.code).toBe(0);
  });
});

// Public API of mcp-gateway: the programmatic gateway and its configuration, as in the original README.
export { Gateway } from './gateway';
export type { GatewayOptions } from './gateway';
export { GatewayConfig, BackendConfig } from '@mcp-gateway/config';
export type { ConfigOverrides, ConfigSourceOptions, GatewayInput, BackendInput } from '@mcp-gateway/config';
export { main } from './cli';
export { createStderrLogger } from './logger';

// Public API of @mcp-gateway/config: load, validate and normalize gateway configuration.
export { GatewayConfig, BackendConfig } from './gateway-config';
export type { ConfigSourceOptions, ConfigOverrides } from './gateway-config';
export { gatewayInputSchema, backendInputSchema } from './schema';
export type { GatewayInput, BackendInput } from './schema';
export { configJsonSchema } from './json-schema';

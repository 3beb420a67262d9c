// GET /api/info: deployment id and version of this Strata installation (docs/rest.md).
import { z } from 'zod';
import { operation } from '../queries/index.ts';
import { defineRoute } from './types.ts';

export const InfoSchema = z.object({
  deployment_id: z.string().describe('stable per installation (UUID)'),
  version: z.string().describe("Strata's version (semver)"),
});

interface InfoData {
  info: z.infer<typeof InfoSchema>;
}

export const infoRoute = defineRoute({
  method: 'get',
  path: '/api/info',
  operationId: 'info',
  summary: 'Deployment id and version',
  description: "The installation's stable deployment id and the running Strata version.",
  tags: ['info'],
  // public, like Infrahub's /api/info: clients call it before they log in
  authenticated: false,
  response: { description: 'Installation info', schema: InfoSchema, schemaName: 'Info' },
  async handler({ supergraph }) {
    const data = await supergraph.request<InfoData>(operation('info'));
    return { body: { deployment_id: data.info.deployment_id, version: data.info.version } };
  },
});

import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';
import { webhookPayloadSchema } from '@routemcp/internal-api';
import { createWebhookSchema, patchWebhookSchema } from '../webhooks/webhook-input.ts';
import { deliveryViewSchema, webhookViewSchema, webhookWithSecretSchema } from '../webhooks/webhook-view.ts';
import { errors, json, success } from './envelopes.ts';
import { READ_SECURITY, WRITE_SECURITY } from './management-paths.ts';

const webhookId = z.object({
  id: z.string().meta({ description: 'The endpoint id (`wh_…`)', example: 'wh_3hV9cM0XzRk2aQpL7sWbYt1E' }),
});
const deliveryIds = webhookId.extend({
  deliveryId: z.string().meta({ description: 'The delivery id (`dlv_…`)', example: 'dlv_9dK2mQ7rT1xZ4bN8vC3pL6sW' }),
});

const body = (schema: z.ZodType, description: string, required = false) => ({
  required,
  description,
  content: { 'application/json': { schema } },
});

const read = (operation: ZodOpenApiOperationObject): ZodOpenApiOperationObject => ({
  tags: ['webhooks'],
  security: READ_SECURITY,
  ...operation,
  responses: { ...operation.responses, ...errors('UNAUTHORIZED', 'FORBIDDEN', 'SERVICE_UNAVAILABLE') },
});

const write = (operation: ZodOpenApiOperationObject): ZodOpenApiOperationObject => ({
  tags: ['webhooks'],
  security: WRITE_SECURITY,
  ...operation,
  responses: {
    ...operation.responses,
    ...errors('UNAUTHORIZED', 'FORBIDDEN', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'SERVICE_UNAVAILABLE'),
  },
});

const DELIVERY = `Each delivery is a POST of the JSON body below with the Standard Webhooks headers \`webhook-id\` (the same on every attempt of one event), \`webhook-timestamp\` and \`webhook-signature\` (\`v1,\` + base64 HMAC-SHA256 of \`id.timestamp.body\` keyed by the secret). Any 2xx is success; otherwise retried after 1 s, 5 s, 30 s, 2 min, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, then failed. An endpoint failing for 5 days is disabled (audit log: webhook.disabled).`;

/** `/v1/webhooks*`, from the zod schemas that validate the requests and type the answers. */
export const webhookPaths: ZodOpenApiPathsObject = {
  '/v1/webhooks': {
    post: write({
      operationId: 'createWebhook',
      summary: 'Add a webhook endpoint',
      description: `Returns the signing \`secret\`, in this answer only. The URL must be http(s) and, unless KEYSTORE_WEBHOOK_ALLOW_PRIVATE=true, on a public address. ${DELIVERY}`,
      requestBody: body(createWebhookSchema, 'The endpoint', true),
      callbacks: {
        keyEvent: {
          '{$request.body#/url}': {
            post: {
              summary: 'A key event',
              requestBody: body(webhookPayloadSchema, 'What happened', true),
              responses: { 200: { description: 'Any 2xx: delivered' } },
            },
          },
        },
      },
      responses: {
        201: json('The endpoint with its secret, shown once', success(webhookWithSecretSchema)),
        ...errors('BAD_REQUEST'),
      },
    }),
    get: read({
      operationId: 'listWebhooks',
      summary: 'List webhook endpoints',
      description: 'Never with the secret. A session sees its own account only.',
      responses: { 200: json('The endpoints', success(z.array(webhookViewSchema))) },
    }),
  },
  '/v1/webhooks/{id}': {
    get: read({
      operationId: 'getWebhook',
      summary: 'One webhook endpoint',
      requestParams: { path: webhookId },
      responses: { 200: json('The endpoint', success(webhookViewSchema)), ...errors('NOT_FOUND') },
    }),
    patch: write({
      operationId: 'updateWebhook',
      summary: 'Change a webhook endpoint',
      description: 'Fields left out stay as they are. `disabled: false` turns a disabled endpoint on again.',
      requestParams: { path: webhookId },
      requestBody: body(patchWebhookSchema, 'The fields to change'),
      responses: {
        200: json('The endpoint as changed', success(webhookViewSchema)),
        ...errors('BAD_REQUEST', 'NOT_FOUND'),
      },
    }),
    delete: write({
      operationId: 'deleteWebhook',
      summary: 'Delete a webhook endpoint and its pending deliveries',
      requestParams: { path: webhookId },
      responses: { 200: json('The endpoint that was deleted', success(webhookViewSchema)), ...errors('NOT_FOUND') },
    }),
  },
  '/v1/webhooks/{id}/rotate-secret': {
    post: write({
      operationId: 'rotateWebhookSecret',
      summary: 'Replace the signing secret',
      description: 'The old secret stops signing at once; the new one is in this answer only.',
      requestParams: { path: webhookId },
      responses: {
        200: json('The endpoint with its new secret, shown once', success(webhookWithSecretSchema)),
        ...errors('NOT_FOUND'),
      },
    }),
  },
  '/v1/webhooks/{id}/deliveries': {
    get: read({
      operationId: 'listWebhookDeliveries',
      summary: "An endpoint's deliveries, newest first (the last 100)",
      requestParams: { path: webhookId },
      responses: { 200: json('The deliveries', success(z.array(deliveryViewSchema))), ...errors('NOT_FOUND') },
    }),
  },
  '/v1/webhooks/{id}/deliveries/{deliveryId}/retry': {
    post: write({
      operationId: 'retryWebhookDelivery',
      summary: 'Attempt a delivery again now',
      description: 'One more attempt, with the same `webhook-id`; a failed delivery that fails again stays failed.',
      requestParams: { path: deliveryIds },
      responses: { 202: json('The delivery, due now', success(deliveryViewSchema)), ...errors('NOT_FOUND') },
    }),
  },
};

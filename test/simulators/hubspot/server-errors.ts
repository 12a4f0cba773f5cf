import type { Response } from 'express';
import { hubspotError } from './crm-api';

/**
 * HubSpot's JSON error answers. Every HubSpot API error carries a correlationId, which HubSpot also sends as the
 * `X-HubSpot-Correlation-Id` header (seen on real 401s quoted in HubSpot/hubspot-api-ruby#181).
 */
export function sendHubSpotError(res: Response, status: number, category: string, message: string, extra: object = {}): void {
  sendErrorBody(res, status, hubspotError(status, category, message, extra));
}

export function sendErrorBody(res: Response, status: number, body: object): void {
  const correlationId = (body as { correlationId?: unknown }).correlationId;
  if (typeof correlationId === 'string') res.setHeader('X-HubSpot-Correlation-Id', correlationId);
  res.status(status).json(body);
}

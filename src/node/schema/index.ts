import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.ts';
import './domain.ts';
import './agency.ts';
import './alert.ts';
import './traceRequest.ts';
import './consent.ts';
import './jointOperationRelease.ts';
import './audit.ts';
import './auditPeers.ts';
import './search.ts';
import './watch.ts';
import './eventFeed.ts';
import './sharingEvents.ts';
import './statistics.ts';

builder.queryType({ description: 'The node contract: what an agency node answers to the gateway.' });
builder.mutationType({});

/** The schema every agency node serves; its SDL is committed as contracts/node.graphql. */
export const nodeSchema = lexicographicSortSchema(builder.toSchema());

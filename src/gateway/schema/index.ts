import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.ts';
import './domain.ts';
import './viewer.ts';
import './agency.ts';
import './alert.ts';
import './traceRequest.ts';
import './consent.ts';
import './audit.ts';
import './search.ts';
import '../../operations/schema/index.ts';
import './node.ts';
import './watch.ts';
import './sharingEvents.ts';
import './jointPicture.ts';

builder.queryType({ description: 'The public API of the Border Exchange Hub.' });
builder.mutationType({});
builder.subscriptionType({});

/** The public schema; its SDL is committed as contracts/gateway.graphql. */
export const gatewaySchema = lexicographicSortSchema(builder.toSchema());

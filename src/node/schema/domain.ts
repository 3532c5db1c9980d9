import { addDomainTypes } from '../../domain/schema/addDomainTypes.ts';
import { builder } from './builder.ts';

export const domain = addDomainTypes(builder);

# One image for every party: `node --agency XK`, `node --agency MK`, `gateway`, `migrate`.
# The current Node.js LTS; the code runs on Node 20.19 and later too (the development machines).
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0

# Dependencies first, for layer caching; postinstall generates the Prisma client.
COPY package.json package-lock.json prisma.config.ts schema.prisma ./
COPY prisma ./prisma
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund && npm cache clean --force

COPY tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
COPY contracts ./contracts

USER node
ENTRYPOINT ["node", "--import", "tsx", "src/cli.ts"]
CMD ["help"]

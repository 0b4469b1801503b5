using Gateway.Hosting;

if (Gateway.Channel.ChannelCli.TryRun(args) is { } channelVerb) return channelVerb;
if (Gateway.Migrations.Cli.MigrateCli.TryRun(args) is { } migrateVerb) return migrateVerb;
return await GatewayApp.RunAsync(args);

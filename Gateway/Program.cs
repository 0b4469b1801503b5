using Gateway.Hosting;

if (CliVerbs.TryHelp(args) is { } help) return help;
if (Gateway.ChannelHosting.ChannelCli.TryRun(args) is { } channelVerb) return channelVerb;
if (Gateway.Storage.StoreCli.TryRun(args) is { } storeVerb) return storeVerb;
if (Gateway.Migrations.Cli.MigrateCli.TryRun(args) is { } migrateVerb) return migrateVerb;
if (CliVerbs.RefuseUnknown(args) is { } unknownVerb) return unknownVerb;
return await GatewayApp.RunAsync(args);

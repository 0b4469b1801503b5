using Gateway.Hosting;

if (Gateway.ChannelHosting.ChannelCli.TryRun(args) is { } channelVerb) return channelVerb;
if (Gateway.Storage.StoreCli.TryRun(args) is { } storeVerb) return storeVerb;
return await GatewayApp.RunAsync(args);

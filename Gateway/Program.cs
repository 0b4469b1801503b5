using Gateway.Hosting;

if (Gateway.ChannelHosting.ChannelCli.TryRun(args) is { } channelVerb) return channelVerb;
return await GatewayApp.RunAsync(args);

Console.Error.WriteLine("usage: bench <suite>");
return 2;
